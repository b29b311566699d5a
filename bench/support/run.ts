/**
 * Runs a benchmark's `main` and exits: 0 once it has printed its figures (a simulator or a
 * client left open does not keep the process alive), 1 with the stack when it failed.
 */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
