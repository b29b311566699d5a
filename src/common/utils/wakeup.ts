/**
 * A sleep that other code can cut short. A wake-up while nobody sleeps is remembered, so the
 * next sleep returns at once and no signal falls between a check and a sleep.
 */
export class Wakeup {
  private wakeFn: (() => void) | null = null;
  private pending = false;

  /** True when a wake-up arrived that no sleep has consumed yet. */
  get isPending(): boolean {
    return this.pending;
  }

  wake(): void {
    this.pending = true;
    this.wakeFn?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.pending || ms <= 0) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        this.wakeFn = null;
        this.pending = false;
        resolve();
      };
      timer = setTimeout(finish, ms);
      this.wakeFn = finish;
    });
  }
}
