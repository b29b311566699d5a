/** Response bytes kept in the attempt log. */
export const RESPONSE_BODY_LOG_BYTES = 1024;

export interface AttemptResult {
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  /** Null when no response arrived. */
  statusCode: number | null;
  error: string | null;
  /** The first KB of the response body, if any. */
  responseBody: string | null;
}

/**
 * POSTs one webhook body. 2xx is success; anything else (other statuses, redirects, which
 * are not followed, timeouts, connection errors) is a failure described in `error`.
 * Never throws.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<AttemptResult> {
  const startedAt = new Date();
  const started = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCancel = () => controller.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  const done = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
    ...r,
    startedAt,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: controller.signal });
    const responseBody = await readCapped(res, RESPONSE_BODY_LOG_BYTES);
    const ok = res.status >= 200 && res.status < 300;
    return done({ ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, responseBody });
  } catch (err) {
    const error = timedOut ? `Timed out after ${timeoutMs} ms` : cancel?.aborted ? 'Canceled at shutdown' : describe(err);
    return done({ ok: false, statusCode: null, error, responseBody: null });
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

/** Reads at most `limit` bytes of the body and drops the rest (a huge answer costs nothing). */
async function readCapped(res: Response, limit: number): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (size >= limit) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  if (!size) return null;
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** fetch() wraps network errors as `TypeError: fetch failed` with the real reason in `cause`. */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? 'Request failed'}: ${cause}` : (e?.message ?? String(err));
}
