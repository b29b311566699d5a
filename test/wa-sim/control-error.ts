/** Errors of control operations; control-server.ts maps `status` to the HTTP status code. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
