/**
 * Framework-free helpers of the Contacts, Groups and session-settings pages: the API's per-field
 * validation errors, and turning the settings form into the settings body.
 */

/** `{fields:[{field, messages}]}` as one message per field name (the top-level property). */
export function fieldMessages(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list = (details as { fields?: unknown } | null | undefined)?.fields;
  if (!Array.isArray(list)) return out;
  for (const f of list as { field?: unknown; messages?: unknown }[]) {
    if (typeof f?.field !== 'string') continue;
    const name = f.field.split(/[.[]/)[0] || f.field;
    const messages = Array.isArray(f.messages) ? f.messages.filter((m): m is string => typeof m === 'string') : [];
    const text = messages.join(' ') || 'Not valid.';
    out[name] = out[name] ? `${out[name]} ${text}` : text;
  }
  return out;
}

export type Preset = 'standard' | 'careful' | 'off' | 'custom';

/** What the settings form holds (text fields as typed). */
export interface SettingsForm {
  preset: Preset;
  minDelayMs: string;
  maxDelayMs: string;
  dailyLimit: string;
  rejectCalls: boolean;
  rejectMessage: string;
  requireOptIn: boolean;
  optInMode: 'refuse' | 'hold';
  optInPrompt: string;
  optInConfirmYes: string;
  optInConfirmNo: string;
  workspace: string;
}

const PRESETS: Record<Exclude<Preset, 'custom'>, [number, number]> = { careful: [8000, 22000], standard: [2000, 5000], off: [0, 0] };

/** The preset a stored pause range matches, or custom. */
export function presetOf(min: unknown, max: unknown): Preset {
  for (const [name, [lo, hi]] of Object.entries(PRESETS)) if (min === lo && max === hi) return name as Preset;
  return 'custom';
}

/** The form for a session's stored (effective) settings. */
export function settingsForm(s: Record<string, unknown>): SettingsForm {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');
  return {
    preset: presetOf(s.minDelayMs, s.maxDelayMs),
    minDelayMs: num(s.minDelayMs),
    maxDelayMs: num(s.maxDelayMs),
    dailyLimit: num(s.dailyLimit),
    rejectCalls: s.rejectCalls === true,
    rejectMessage: str(s.rejectMessage),
    requireOptIn: s.requireOptIn === true,
    optInMode: s.optInMode === 'hold' ? 'hold' : 'refuse',
    optInPrompt: str(s.optInPrompt),
    optInConfirmYes: str(s.optInConfirmYes),
    optInConfirmNo: str(s.optInConfirmNo),
    workspace: str(s.workspace),
  };
}

/**
 * The PATCH body for the form. Numbers typed as text are sent as numbers when they are whole
 * numbers and as typed otherwise, so the API names the field that is wrong; empty cap = unlimited.
 */
export function settingsPatch(f: SettingsForm): Record<string, unknown> {
  const number = (v: string): unknown => {
    const t = v.trim();
    return /^-?\d+$/.test(t) ? Number(t) : t;
  };
  const body: Record<string, unknown> = {};
  if (f.preset === 'custom') {
    body.minDelayMs = number(f.minDelayMs);
    body.maxDelayMs = number(f.maxDelayMs);
  } else body.preset = f.preset;
  body.dailyLimit = f.dailyLimit.trim() === '' ? null : number(f.dailyLimit);
  body.rejectCalls = f.rejectCalls;
  body.rejectMessage = f.rejectMessage.trim() === '' ? null : f.rejectMessage;
  body.requireOptIn = f.requireOptIn;
  body.optInMode = f.optInMode;
  if (f.optInPrompt.trim()) body.optInPrompt = f.optInPrompt;
  if (f.optInConfirmYes.trim()) body.optInConfirmYes = f.optInConfirmYes;
  if (f.optInConfirmNo.trim()) body.optInConfirmNo = f.optInConfirmNo;
  body.workspace = f.workspace.trim() === '' ? null : f.workspace.trim();
  return body;
}
