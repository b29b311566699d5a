import { ApiError } from './api';

/** `PATCH` with the tab's credential (the shared client has get/post/del only). */
export async function patchJson<T>(token: string, path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'PATCH', headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server did not answer. Is it running?');
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `The server answered ${res.status}.`);
  return json as T;
}
