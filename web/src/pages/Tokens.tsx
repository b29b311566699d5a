import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog, Dialog, FormActions } from '../components/Dialog';
import { SecretReveal } from '../components/SecretReveal';
import { useApi } from '../context';
import { checkTokenForm, PRODUCT_APIS, tokenBinding, when, type ApiToken } from '../lib/admin';
import type { SessionList } from '../lib/types';

export function TokensPage({ isAdmin }: { isAdmin: boolean }) {
  const api = useApi();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const list = useQuery({
    queryKey: ['tokens'],
    queryFn: () => api.get<{ tokens: ApiToken[] }>('/api/auth/tokens'),
    enabled: isAdmin,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del(`/api/auth/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });

  if (!isAdmin) {
    return (
      <>
        <h1 tabIndex={-1}>Tokens</h1>
        <div className="card empty" role="note">
          <h2>Admin sign-in needed</h2>
          <p>Only admin credentials (the admin token, API key or password) may create, list and revoke API tokens. Sign out and sign in with one of them.</p>
        </div>
      </>
    );
  }

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Tokens</h1>
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          New token
        </button>
      </div>
      <p className="muted">API tokens let programs call this server. A bound token acts on one session or one workspace only.</p>
      {list.isPending && <p role="status">Loading tokens…</p>}
      {list.isError && (
        <p role="alert" className="error">
          Could not load the tokens: {list.error.message}
        </p>
      )}
      {list.data && list.data.tokens.length === 0 && (
        <div className="card empty">
          <h2>No token yet</h2>
          <p>Choose “New token” to give a program its own revocable credential.</p>
        </div>
      )}
      {list.data && list.data.tokens.length > 0 && (
        <table className="table sessions admin-table">
          <caption className="visually-hidden">API tokens ({list.data.tokens.length})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Binding</th>
              <th scope="col">Product API</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row" data-label="Name">
                  {t.name}
                  {t.role === 'admin' && <span className="badge badge-warn admin-badge">admin</span>}
                </th>
                <td data-label="Prefix">
                  <code>{t.prefix}…</code>
                </td>
                <td data-label="Binding">{tokenBinding(t)}</td>
                <td data-label="Product API">{t.api ?? <span className="muted">native</span>}</td>
                <td data-label="Expires">{when(t.expiresAt, 'never')}</td>
                <td data-label="Last used">{when(t.lastUsedAt, 'never')}</td>
                <td data-label="Actions">
                  <button type="button" className="button small danger-outline" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewTokenDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name ?? 'token'}?`}
        confirmLabel="Revoke token"
        danger
        busy={revoke.isPending}
        error={revoke.isError ? revoke.error.message : null}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>Programs using it are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

type Binding = 'none' | 'session' | 'workspace';

function NewTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [binding, setBinding] = useState<Binding>('none');
  const [sessionId, setSessionId] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [productApi, setProductApi] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () => api.get<SessionList>('/api/sessions?limit=1000'),
    enabled: open && binding === 'session',
  });
  const create = useMutation({
    mutationFn: (body: Record<string, string>) => api.post<{ token: string }>('/api/auth/tokens', body),
    onSuccess: (r) => {
      setSecret(r.token);
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const close = () => {
    onClose();
    setName('');
    setBinding('none');
    setSessionId('');
    setWorkspace('');
    setProductApi('');
    setExpiresIn('');
    setFormError(null);
    setSecret(null);
    create.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const err = checkTokenForm({ name, binding, sessionId, workspace, expiresIn });
    setFormError(err);
    if (err) return;
    create.mutate({
      name: name.trim(),
      ...(binding === 'session' ? { sessionId } : {}),
      ...(binding === 'workspace' ? { workspace: workspace.trim() } : {}),
      ...(productApi ? { api: productApi } : {}),
      ...(expiresIn.trim() ? { expiresIn: expiresIn.trim() } : {}),
    });
  };

  return (
    <Dialog open={open} title={secret ? 'Token created' : 'New token'} onClose={close}>
      {secret ? (
        <>
          <SecretReveal label="Token secret" secret={secret} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={close}>
              I have copied it
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <label htmlFor="token-name">Name</label>
          <input id="token-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="crm-integration" data-autofocus />
          <fieldset>
            <legend>Binding</legend>
            {(
              [
                ['none', 'None: every session'],
                ['session', 'One session'],
                ['workspace', 'One workspace'],
              ] as const
            ).map(([value, text]) => (
              <label className="radio" key={value}>
                <input type="radio" name="token-binding" value={value} checked={binding === value} onChange={() => setBinding(value)} />
                {text}
              </label>
            ))}
          </fieldset>
          {binding === 'session' && (
            <>
              <label htmlFor="token-session">Session</label>
              <select id="token-session" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
                <option value="">{sessions.isPending ? 'Loading sessions…' : 'Choose a session'}</option>
                {sessions.data?.sessions.map((s) => (
                  <option key={s.sessionId} value={s.sessionId}>
                    {s.name ?? s.sessionId}
                  </option>
                ))}
              </select>
            </>
          )}
          {binding === 'workspace' && (
            <>
              <label htmlFor="token-workspace">Workspace</label>
              <input id="token-workspace" value={workspace} maxLength={100} onChange={(e) => setWorkspace(e.target.value)} />
            </>
          )}
          <label htmlFor="token-api">Product API</label>
          <select id="token-api" value={productApi} onChange={(e) => setProductApi(e.target.value)} aria-describedby="token-api-hint">
            <option value="">None: the native API</option>
            {PRODUCT_APIS.map((a) => (
              <option key={a} value={a}>
                {a} (/compat/{a} only)
              </option>
            ))}
          </select>
          <p id="token-api-hint" className="hint">
            Confines the token to one sibling product’s API.
          </p>
          <label htmlFor="token-expiry">Expires in</label>
          <input id="token-expiry" value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} placeholder="30d" aria-describedby="token-expiry-hint" />
          <p id="token-expiry-hint" className="hint">
            A number with s, m, h or d (e.g. 30d, at most 3650 days). Empty: no expiry.
          </p>
          <FormActions
            error={formError ?? (create.isError ? create.error.message : null)}
            pending={create.isPending}
            submitLabel="Create token"
            pendingLabel="Creating…"
            onCancel={close}
          />
        </form>
      )}
    </Dialog>
  );
}
