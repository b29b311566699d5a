/** PATCH requests of the people pages, keeping the API's per-field validation errors. */
import { ApiError } from './api';
import { loadCredential } from './auth';
import { fieldMessages } from './people';

/** An API error that names the fields it is about (`error.details.fields`). */
export class FieldsError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(status, code, message);
  }
}

/** A JSON PATCH with the tab's credential; a validation error keeps its fields. */
export async function patchJson<T>(path: string, body: unknown, fetchImpl: typeof fetch = fetch): Promise<T> {
  const token = loadCredential(window.sessionStorage)?.token;
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetchImpl(path, { method: 'PATCH', headers, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server did not answer. Is it running?');
  }
  const json: any = await res.json().catch(() => null);
  if (!res.ok) {
    const code = json?.error?.code ?? `HTTP_${res.status}`;
    const message = json?.error?.message ?? `The server answered ${res.status}.`;
    throw new FieldsError(res.status, code, message, fieldMessages(json?.error?.details));
  }
  return json as T;
}

