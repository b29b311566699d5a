import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useApi } from '../context';
import { checkPasswordForm, MIN_PASSWORD_LENGTH } from '../lib/admin';

/**
 * Change the admin password. Every login JWT issued before ends, this tab's too when it signed in
 * with the password: it then returns to the sign-in with a notice.
 */
export function SecurityPage({ via, onPasswordChanged }: { via: 'token' | 'password'; onPasswordChanged: () => void }) {
  const api = useApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (body: { currentPassword?: string; newPassword: string }) => api.post('/api/auth/change-password', body),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setConfirm('');
      if (via === 'password') onPasswordChanged();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const err = checkPasswordForm({ newPassword: next, confirm });
    setFormError(err);
    if (err) return;
    change.mutate({ ...(current ? { currentPassword: current } : {}), newPassword: next });
  };
  return (
    <>
      <h1 tabIndex={-1}>Security</h1>
      <section className="card admin-card" aria-labelledby="pw-head">
        <h2 id="pw-head">Change the admin password</h2>
        <p>
          Changing it ends every other sign-in made with the password (login tokens issued before), in every browser.
          {via === 'password' ? ' This tab signed in with the password, so it will ask you to sign in again with the new one.' : ' API tokens and the admin key keep working.'}
        </p>
        <form onSubmit={submit} noValidate>
          <label htmlFor="pw-current">Current password</label>
          <input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} aria-describedby="pw-current-hint" />
          <p id="pw-current-hint" className="hint">
            Leave it empty only if no password has been set yet.
          </p>
          <label htmlFor="pw-new">New password</label>
          <input id="pw-new" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} value={next} onChange={(e) => setNext(e.target.value)} aria-describedby="pw-new-hint" />
          <p id="pw-new-hint" className="hint">
            At least {MIN_PASSWORD_LENGTH} characters; a long passphrase is best.
          </p>
          <label htmlFor="pw-confirm">Confirm new password</label>
          <input id="pw-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          {(formError || change.isError) && (
            <p role="alert" className="error">
              {formError ?? change.error?.message}
            </p>
          )}
          {change.isSuccess && (
            <p role="status" className="success-note">
              Password changed. Other sign-ins made with the old password have ended.
            </p>
          )}
          <div className="dialog-actions">
            <button type="submit" className="button primary" disabled={change.isPending}>
              {change.isPending ? 'Changing…' : 'Change password'}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
