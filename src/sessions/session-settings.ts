/**
 * Per-session policy. Messaging (pacing, limits, opt-in) and calls add their fields here;
 * values not set on a session fall back to these defaults.
 */
export interface SessionSettings {
  /** Free-form label grouping sessions (seed 004 workspaces). */
  workspace: string | null;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  workspace: null,
};

export function resolveSessionSettings(stored: Partial<SessionSettings> | null | undefined): SessionSettings {
  return { ...DEFAULT_SESSION_SETTINGS, ...(stored ?? {}) };
}
