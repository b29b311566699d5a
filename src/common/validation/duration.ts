import { ValidateBy, type ValidationOptions } from 'class-validator';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^([1-9]\d{0,9})([smhd]?)$/;

/** Ten years: the longest lifetime a duration field accepts (a Date stays valid far beyond). */
export const MAX_DURATION_SECONDS = 10 * 365 * 86400;

/** Seconds of a duration written as seconds or a number with s, m, h or d; null when malformed. */
export function durationSeconds(value: string): number | null {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's'] : null;
}

/** A duration (`3600`, `90m`, `30d`) of at most `maxSeconds`. */
export function IsDuration(maxSeconds = MAX_DURATION_SECONDS, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      constraints: [maxSeconds],
      validator: {
        validate: (value: unknown) => {
          const seconds = typeof value === 'string' ? durationSeconds(value) : null;
          return seconds !== null && seconds <= maxSeconds;
        },
        defaultMessage: () => `$property must be seconds or a number followed by s, m, h or d, at most ${maxSeconds / 86400} days`,
      },
    },
    options,
  );
}
