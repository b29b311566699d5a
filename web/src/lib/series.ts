/**
 * One hour of the overview's message flow (`GET /api/dashboard/overview` → messages.hourly),
 * each figure counted in the hour it happened: messages queued (`outbound`), outbound messages
 * that reached sent, delivered and read, outbound messages that failed, inbound messages.
 */
export interface HourFigures {
  hour: string;
  outbound: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  inbound: number;
}

export type HourFigure = Exclude<keyof HourFigures, 'hour'>;

const FIGURES: HourFigure[] = ['outbound', 'sent', 'delivered', 'read', 'failed', 'inbound'];

/**
 * The last `hours` whole hours up to the one containing `now`, oldest first, with the hours the
 * API left out (nothing happened) as zeros: a chart needs every bar, the API sends only the
 * hours with messages. A figure an older server does not send counts as zero.
 */
export function hourlySeries(hourly: Partial<HourFigures>[], now: Date, hours = 24): HourFigures[] {
  const byHour = new Map(hourly.filter((h) => h.hour).map((h) => [new Date(h.hour!).getTime(), h]));
  const current = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours());
  const out: HourFigures[] = [];
  for (let i = hours - 1; i >= 0; i--) {
    const t = current - i * 3_600_000;
    const found = byHour.get(t);
    const h = { hour: new Date(t).toISOString() } as HourFigures;
    for (const key of FIGURES) h[key] = found?.[key] ?? 0;
    out.push(h);
  }
  return out;
}

/** A "nice" top for a chart's axis: the smallest 1, 2 or 5 × 10^n at or above `max` (at least 1). */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Sum of a record's values (statuses → counts). */
export function total(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((a, n) => a + n, 0);
}
