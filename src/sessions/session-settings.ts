/**
 * Per-session policy, stored on the session row. Values a session does not set fall back to
 * the server defaults (DEFAULT_MIN_DELAY_MS / DEFAULT_MAX_DELAY_MS for pacing).
 */
export interface SessionSettings {
  /** Free-form label grouping sessions (workspaces, as the device-token gateway has them). */
  workspace: string | null;
  /** Random pause between two sends of this session, in [minDelayMs, maxDelayMs]. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Sends per UTC day; null = unlimited. */
  dailyLimit: number | null;
  /** Only contacts who opted in receive outbound messages (the WA Gateway); see optInMode. */
  requireOptIn: boolean;
  /**
   * With requireOptIn, what happens to a message for a contact who has not said YES (never wrote
   * in, or was prompted and did not answer): `refuse` ends it OPTED_OUT at once; `hold` keeps it
   * QUEUED, skipped by the queue, until the contact answers (YES sends it, NO ends it OPTED_OUT).
   * A contact who said NO is refused in both modes.
   */
  optInMode: OptInMode;
  /** Inbound media: fetched when first asked for (`lazy`) or as soon as it arrives (`eager`). */
  mediaDownload: 'lazy' | 'eager';
  /** Decline incoming calls (the device-token gateway), answering with `rejectMessage` when set. */
  rejectCalls: boolean;
  rejectMessage: string | null;
  /** The WA Gateway opt-in conversation texts (when requireOptIn is on). */
  optInPrompt: string;
  optInConfirmYes: string;
  optInConfirmNo: string;
}

/** Bilingual (English / Arabic) defaults, as in the WA Gateway. */
export const DEFAULT_OPT_IN_TEXTS = {
  optInPrompt:
    'Hello! Would you like to receive messages from us on WhatsApp?\nReply 1 or YES to subscribe, 2 or NO to decline.\n\nمرحبًا! هل ترغب في تلقي رسائلنا عبر واتساب؟\nأرسل 1 أو نعم للاشتراك، أو 2 أو لا للرفض.',
  optInConfirmYes: 'Thank you! You are subscribed. Reply 2 or NO at any time to stop.\n\nشكرًا لك! تم اشتراكك. أرسل 2 أو لا في أي وقت لإيقاف الرسائل.',
  optInConfirmNo: 'You will not receive messages from us. Reply 1 or YES to subscribe again.\n\nلن تصلك رسائل منا. أرسل 1 أو نعم للاشتراك مجددًا.',
};

export const OPT_IN_MODES = ['refuse', 'hold'] as const;
export type OptInMode = (typeof OPT_IN_MODES)[number];

export interface SettingsDefaults {
  minDelayMs: number;
  maxDelayMs: number;
}

/** Named pacing presets; `careful` is the WA Gateway's 8–22 s anti-ban throttle. */
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
    optInMode: 'refuse',
    mediaDownload: 'lazy',
    rejectCalls: false,
    rejectMessage: null,
    ...DEFAULT_OPT_IN_TEXTS,
    ...(stored ?? {}),
  };
}
