/**
 * Per-session policy, stored on the session row. Values a session does not set fall back to
 * the server defaults (DEFAULT_MIN_DELAY_MS / DEFAULT_MAX_DELAY_MS for pacing).
 */
export interface SessionSettings {
  /** Free-form label grouping sessions (seed 004 workspaces). */
  workspace: string | null;
  /** Random pause between two sends of this session, in [minDelayMs, maxDelayMs]. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Sends per UTC day; null = unlimited. */
  dailyLimit: number | null;
  /** Only contacts who opted in receive outbound messages; others end OPTED_OUT (seed 003). */
  requireOptIn: boolean;
}

export interface SettingsDefaults {
  minDelayMs: number;
  maxDelayMs: number;
}

/** Named pacing presets; `careful` is seed 003's 8–22 s anti-ban throttle. */
export const PACING_PRESETS = {
  careful: { minDelayMs: 8_000, maxDelayMs: 22_000 },
  standard: { minDelayMs: 2_000, maxDelayMs: 5_000 },
  off: { minDelayMs: 0, maxDelayMs: 0 },
} as const;

export type PacingPreset = keyof typeof PACING_PRESETS;

export function resolveSessionSettings(stored: Partial<SessionSettings> | null | undefined, defaults: SettingsDefaults): SessionSettings {
  return {
    workspace: null,
    minDelayMs: defaults.minDelayMs,
    maxDelayMs: defaults.maxDelayMs,
    dailyLimit: null,
    requireOptIn: false,
    ...(stored ?? {}),
  };
}
