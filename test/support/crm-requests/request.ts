/**
 * One HTTP request exactly as a Cloud API client builds it, written down from the client's
 * source (the `source` line names the file), so a spec can replay it against Switchboard
 * byte for byte and read the answer the way the client does.
 */
export interface CrmRequest {
  /** What the client is doing, in its own terms ("validate_provider_config?"). */
  name: string;
  /** The client file that builds the request. */
  source: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path as the client builds it, version included, without the host (the base URL setting supplies that). */
  path: string;
  query?: Record<string, string>;
  /** Headers the client sets that matter here (auth, content type). */
  headers?: Record<string, string>;
  /** The body text, exactly as the client serialises it (JSON text, or urlencoded form). */
  body?: string;
  /** A multipart body: text fields and at most one file part, in the client's order. */
  multipart?: { parts: Array<{ name: string; value: string } | { name: string; file: Buffer; filename?: string; contentType: string }> };
}

export interface CrmResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** The URL a request goes to when the client's base URL setting is `base` (e.g. http://127.0.0.1:3000). */
export function urlOf(base: string, req: CrmRequest): string {
  const url = new URL(req.path, base.replace(/\/$/, '') + '/');
  url.pathname = req.path;
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  return url.toString();
}

/** Sends `req` over real HTTP to `base` (or to `absoluteUrl`, for a URL the server handed out). */
export async function replay(base: string, req: CrmRequest, absoluteUrl?: string): Promise<CrmResponse> {
  let body: string | FormData | undefined = req.body;
  if (req.multipart) {
    const form = new FormData();
    for (const part of req.multipart.parts) {
      if ('file' in part) form.append(part.name, new Blob([part.file], { type: part.contentType }), part.filename ?? 'blob');
      else form.append(part.name, part.value);
    }
    body = form;
  }
  const res = await fetch(absoluteUrl ?? urlOf(base, req), { method: req.method, headers: req.headers, body });
  const buffer = Buffer.from(await res.arrayBuffer());
  const text = buffer.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Like replay() but keeps the raw bytes (media downloads). */
export async function replayBytes(req: CrmRequest, absoluteUrl: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(absoluteUrl, { method: req.method, headers: req.headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
