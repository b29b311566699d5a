/**
 * Loud failure channel. The simulator encodes one reading of one Baileys release
 * (7.0.0-rc14); when Baileys sends something it does not know, or a simulated phone or
 * contact cannot decrypt what it got, that is recorded here, printed to stderr, exposed at
 * `GET /errors`, and tests assert the list is empty.
 */
export interface SimError {
  at: string;
  /** `unknown-stanza`, `handler-failed`, `decrypt-failed`, `protocol`, ... */
  kind: string;
  /** e.g. `iq xmlns=w:m type=set <media_conn>` (tag + xmlns + first child). */
  stanza?: string;
  message: string;
  /** Which account/device connection it came from, when known. */
  device?: string;
}

export class ErrorLog {
  private readonly items: SimError[] = [];

  constructor(private readonly printToStderr = true) {}

  record(kind: string, message: string, extra: { stanza?: string; device?: string } = {}): SimError {
    const error: SimError = { at: new Date().toISOString(), kind, message, ...extra };
    this.items.push(error);
    if (this.printToStderr) {
      const where = [extra.device, extra.stanza].filter(Boolean).join(' ');
      process.stderr.write(`[wa-sim] ERROR ${kind}${where ? ` (${where})` : ''}: ${message}\n`);
    }
    return error;
  }

  list(): SimError[] {
    return [...this.items];
  }

  clear(): void {
    this.items.length = 0;
  }
}
