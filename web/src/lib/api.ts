import { fieldMessages } from './people';

/**
 * A native API error (`{success:false, error:{code, message, details}}`) or a network failure.
 * `fields` holds the validation messages of `error.details.fields`, one per top-level field.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

/**
 * The REST client of the app: every call carries the tab's credential; a 401 means it stopped
 * working (revoked, expired, password changed) and signs the tab out. Errors keep the API's code
 * and its per-field validation messages.
 */
export function createApi(token: () => string | null, onUnauthorized: () => void, fetchImpl: typeof fetch = (url, init) => fetch(url, init)): ApiClient {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchImpl(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server did not answer. Is it running?');
    }
    const json: any = await res.json().catch(() => null);
    if (res.status === 401) onUnauthorized();
    if (!res.ok) {
      throw new ApiError(
        res.status,
        json?.error?.code ?? `HTTP_${res.status}`,
        json?.error?.message ?? `The server answered ${res.status}.`,
        fieldMessages(json?.error?.details),
      );
    }
    return json as T;
  };
  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body),
    del: (path) => request('DELETE', path),
  };
}

/** The JSON fetch the sign-in uses (no credential of the tab yet). */
export async function fetchJson(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: any }> {
  const res = await fetch(path, init);
  return { status: res.status, body: await res.json().catch(() => null) };
}
