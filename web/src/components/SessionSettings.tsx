import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../context';
import { ApiError } from '../lib/api';
import { settingsForm, settingsPatch, type SettingsForm } from '../lib/people';
import type { Session } from '../lib/types';

/** The session's policy: pacing, daily cap, calls, the opt-in conversation and the workspace. */
export function SessionSettingsPanel({ session }: { session: Session }) {
  const api = useApi();
  const client = useQueryClient();
  const [form, setForm] = useState<SettingsForm>(() => settingsForm(session.settings));
  const [saved, setSaved] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const settingsKey = JSON.stringify(session.settings);
  // The stored settings changed elsewhere (or after saving): show them.
  useEffect(() => setForm(settingsForm(session.settings)), [settingsKey]);

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.patch<{ session: Session }>(`/api/sessions/${encodeURIComponent(session.sessionId)}/settings`, body),
    onSuccess: (r) => {
      setSaved(true);
      setFields({});
      client.setQueryData(['session', session.sessionId], (old: object | undefined) => (old ? { ...old, session: r.session } : old));
      void client.invalidateQueries({ queryKey: ['session', session.sessionId] });
      void client.invalidateQueries({ queryKey: ['sessions'] });
    },
    onError: (e) => {
      setSaved(false);
      setFields(e instanceof ApiError ? e.fields : {});
    },
  });
  // After a refusal, focus goes to the first field the API named (or the message).
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!save.isError) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .field-error, [role="alert"]');
    if (first && !first.matches('input, select, textarea')) first.setAttribute('tabindex', '-1');
    first?.focus();
  }, [save.isError, save.failureCount, fields]);
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setSaved(false);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(settingsPatch(form));
  };
  const pacingError = fields.preset;
  const otherErrors = save.error instanceof ApiError ? Object.keys(fields).filter((f) => !KNOWN.includes(f)) : [];

  return (
    <form ref={formRef} className="settings-form" onSubmit={submit} noValidate aria-labelledby="settings-title">
      <fieldset>
        <legend>Pacing between sends</legend>
        {(['standard', 'careful', 'off', 'custom'] as const).map((p) => (
          <label className="radio" key={p}>
            <input type="radio" name="preset" value={p} checked={form.preset === p} onChange={() => set('preset', p)} />
            {PRESET_LABEL[p]}
          </label>
        ))}
        {pacingError && <FieldError id="set-preset-error">{pacingError}</FieldError>}
        {form.preset === 'custom' && (
          <div className="settings-row">
            <Field id="set-min" label="Shortest pause (ms)" error={fields.minDelayMs}>
              <input id="set-min" inputMode="numeric" value={form.minDelayMs} onChange={(e) => set('minDelayMs', e.target.value)} {...invalid('set-min', fields.minDelayMs)} />
            </Field>
            <Field id="set-max" label="Longest pause (ms)" error={fields.maxDelayMs}>
              <input id="set-max" inputMode="numeric" value={form.maxDelayMs} onChange={(e) => set('maxDelayMs', e.target.value)} {...invalid('set-max', fields.maxDelayMs)} />
            </Field>
          </div>
        )}
      </fieldset>
      <Field id="set-cap" label="Daily cap (sends per UTC day)" hint="Empty for no cap." error={fields.dailyLimit}>
        <input id="set-cap" inputMode="numeric" value={form.dailyLimit} onChange={(e) => set('dailyLimit', e.target.value)} {...invalid('set-cap', fields.dailyLimit, true)} />
      </Field>
      <fieldset>
        <legend>Calls</legend>
        <label className="radio">
          <input type="checkbox" checked={form.rejectCalls} onChange={(e) => set('rejectCalls', e.target.checked)} />
          Reject incoming calls
        </label>
        {fields.rejectCalls && <FieldError id="set-reject-error">{fields.rejectCalls}</FieldError>}
        <Field id="set-reject-message" label="Reply to a rejected call" hint="Sent to the caller; empty for none." error={fields.rejectMessage}>
          <textarea id="set-reject-message" rows={2} value={form.rejectMessage} onChange={(e) => set('rejectMessage', e.target.value)} {...invalid('set-reject-message', fields.rejectMessage, true)} />
        </Field>
      </fieldset>
      <fieldset>
        <legend>Opt-in</legend>
        <label className="radio">
          <input type="checkbox" checked={form.requireOptIn} onChange={(e) => set('requireOptIn', e.target.checked)} />
          Require opt-in (contacts are asked once and must answer YES)
        </label>
        {fields.requireOptIn && <FieldError id="set-require-error">{fields.requireOptIn}</FieldError>}
        <Field id="set-mode" label="Messages for a contact without a YES" error={fields.optInMode}>
          <select id="set-mode" value={form.optInMode} onChange={(e) => set('optInMode', e.target.value as 'refuse' | 'hold')} {...invalid('set-mode', fields.optInMode)}>
            <option value="refuse">Refuse them (they end opted out)</option>
            <option value="hold">Hold them until the contact answers</option>
          </select>
        </Field>
        <Field id="set-prompt" label="Opt-in question" error={fields.optInPrompt}>
          <textarea id="set-prompt" rows={4} value={form.optInPrompt} onChange={(e) => set('optInPrompt', e.target.value)} {...invalid('set-prompt', fields.optInPrompt)} />
        </Field>
        <Field id="set-yes" label="Confirmation after YES" error={fields.optInConfirmYes}>
          <textarea id="set-yes" rows={3} value={form.optInConfirmYes} onChange={(e) => set('optInConfirmYes', e.target.value)} {...invalid('set-yes', fields.optInConfirmYes)} />
        </Field>
        <Field id="set-no" label="Confirmation after NO" error={fields.optInConfirmNo}>
          <textarea id="set-no" rows={3} value={form.optInConfirmNo} onChange={(e) => set('optInConfirmNo', e.target.value)} {...invalid('set-no', fields.optInConfirmNo)} />
        </Field>
      </fieldset>
      <Field id="set-workspace" label="Workspace" hint="A label grouping sessions; empty for none." error={fields.workspace}>
        <input id="set-workspace" value={form.workspace} maxLength={200} onChange={(e) => set('workspace', e.target.value)} {...invalid('set-workspace', fields.workspace, true)} />
      </Field>
      {save.isError && (
        <p role="alert" className="error">
          The settings were not saved: {Object.keys(fields).length ? 'check the fields marked above.' : save.error.message}
          {otherErrors.map((f) => ` ${f}: ${fields[f]}`).join('')}
        </p>
      )}
      {saved && (
        <p role="status" className="ok">
          Settings saved.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}

const KNOWN = ['preset', 'minDelayMs', 'maxDelayMs', 'dailyLimit', 'rejectCalls', 'rejectMessage', 'requireOptIn', 'optInMode', 'optInPrompt', 'optInConfirmYes', 'optInConfirmNo', 'workspace'];
const PRESET_LABEL = {
  standard: 'Standard: 2–5 s',
  careful: 'Careful: 8–22 s (safest against bans)',
  off: 'Off: no pause',
  custom: 'Custom',
} as const;

/** aria attributes tying a field to its error (and hint). */
function invalid(id: string, error: string | undefined, hint = false) {
  const by = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': by || undefined };
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && <FieldError id={`${id}-error`}>{error}</FieldError>}
    </div>
  );
}

function FieldError({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="error field-error">
      {children}
    </p>
  );
}
