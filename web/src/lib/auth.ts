/**
 * Signing in: the one field takes an API token (checked with `GET /api/auth/verify`) or the
 * admin password (exchanged for a JWT by `POST /api/auth/login`). The credential lives in
 * sessionStorage: per tab, gone when the tab closes. Framework-free (unit-tested under Node).
 */

export interface Credential {
  /** Sent as `Authorization: Bearer` on every request and on the event stream. */
  token: string;
  /** How it was obtained: the token itself, or a login JWT for the password. */
  via: 'token' | 'password';
  isAdmin: boolean;
}

export type JsonFetch = (path: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number; body: any }>;

export class SignInError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** HTTP header values carry visible ASCII only: anything else cannot be a token. */
const TOKEN_SHAPED = /^[\x21-\x7e]+$/;

export async function signIn(secret: string, fetchJson: JsonFetch): Promise<Credential> {
  const value = secret.trim();
  if (!value) throw new SignInError('Enter an API token or the admin password.', 'EMPTY');
  if (TOKEN_SHAPED.test(value)) {
    const verify = await fetchJson('/api/auth/verify', { method: 'GET', headers: { Authorization: `Bearer ${value}` } });
    if (verify.status === 200 && verify.body?.data?.valid) return { token: value, via: 'token', isAdmin: !!verify.body.data.isAdmin };
    if (verify.status === 429) throw tooMany();
  }
  const login = await fetchJson('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: secret }),
  });
  if (login.status === 200 && typeof login.body?.token === 'string') {
    const verify = await fetchJson('/api/auth/verify', { method: 'GET', headers: { Authorization: `Bearer ${login.body.token}` } });
    return { token: login.body.token, via: 'password', isAdmin: !!verify.body?.data?.isAdmin };
  }
  if (login.status === 429) throw tooMany();
  throw new SignInError('That API token or password is not valid.', 'INVALID_CREDENTIALS');
}

const tooMany = () => new SignInError('Too many failed attempts: wait a minute, then try again.', 'TOO_MANY_ATTEMPTS');

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KEY = 'switchboard.credential';

export function loadCredential(store: KeyValueStore): Credential | null {
  try {
    const parsed = JSON.parse(store.getItem(KEY) ?? 'null');
    if (parsed && typeof parsed.token === 'string' && (parsed.via === 'token' || parsed.via === 'password')) {
      return { token: parsed.token, via: parsed.via, isAdmin: !!parsed.isAdmin };
    }
  } catch {
    /* unreadable: signed out */
  }
  return null;
}

export function saveCredential(store: KeyValueStore, credential: Credential): void {
  store.setItem(KEY, JSON.stringify(credential));
}

export function clearCredential(store: KeyValueStore): void {
  store.removeItem(KEY);
}
