import http from 'node:http';
import https from 'node:https';
import { basename } from 'node:path';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { safeDecodeURIComponent } from '../common/utils/safe-decode';
import { UrlGuard } from '../common/net/url-guard';

export interface FetchedMedia {
  data: Buffer;
  contentType: string | null;
  fileName: string | null;
}

export interface MediaFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  allowlist: string[];
}

/**
 * Downloads media from a URL with a size limit, a timeout and a redirect limit. Every
 * connection is checked where it is made (in the DNS lookup the socket uses), so a host
 * that resolves to a private address, or a redirect to one, is refused: no DNS-rebinding
 * window between the check and the connect.
 */
export class MediaFetcher {
  private readonly guard: UrlGuard;

  constructor(private readonly options: MediaFetcherOptions) {
    this.guard = new UrlGuard(options.allowlist);
  }

  /** @throws AppError MEDIA_URL_FORBIDDEN, MEDIA_FETCH_FAILED, MEDIA_TOO_LARGE */
  async fetch(rawUrl: string): Promise<FetchedMedia> {
    let url = this.parse(rawUrl);
    for (let hop = 0; ; hop++) {
      const res = await this.request(url);
      if (res.redirect) {
        if (hop >= this.options.maxRedirects) throw fetchFailed(`More than ${this.options.maxRedirects} redirects`);
        url = this.parse(new URL(res.redirect, url).toString());
        continue;
      }
      return { data: res.data!, contentType: res.contentType, fileName: fileNameOf(url) };
    }
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new AppError(ErrorCode.MEDIA_URL_FORBIDDEN, 'The media URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AppError(ErrorCode.MEDIA_URL_FORBIDDEN, 'Only http and https media URLs are allowed');
    }
    if (url.username || url.password) throw new AppError(ErrorCode.MEDIA_URL_FORBIDDEN, 'Media URLs may not carry credentials');
    // Literal IPs skip the DNS lookup, so they are checked here.
    if (!this.guard.allowsLiteral(url)) throw forbidden();
    return url;
  }

  private request(url: URL): Promise<{ redirect?: string; data?: Buffer; contentType: string | null }> {
    const { maxBytes, timeoutMs } = this.options;
    const lookup = this.guard.lookup(forbidden);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.get(url, { lookup, timeout: timeoutMs, headers: { 'user-agent': 'Switchboard/0.1 media-fetch', accept: '*/*' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ redirect: res.headers.location, contentType: null });
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return reject(fetchFailed(`The media URL answered HTTP ${status}`));
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.destroy();
          return reject(tooLarge(maxBytes));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(tooLarge(maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ data: Buffer.concat(chunks), contentType: res.headers['content-type'] ?? null }));
        res.on('error', (err) => reject(fetchFailed(err.message)));
      });
      const deadline = setTimeout(() => req.destroy(fetchFailed(`No complete answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(deadline));
      req.on('timeout', () => req.destroy(fetchFailed(`No answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof AppError ? err : fetchFailed(err.message)));
    });
  }
}

/** The file name a URL's path ends with, decoded; null when there is none or it does not decode. */
function fileNameOf(url: URL): string | null {
  const decoded = safeDecodeURIComponent(url.pathname);
  const name = decoded === null ? null : basename(decoded);
  return name && name !== '/' ? name : null;
}

function forbidden(): AppError {
  return new AppError(ErrorCode.MEDIA_URL_FORBIDDEN, 'The media URL points to a private, loopback or link-local address');
}

function fetchFailed(reason: string): AppError {
  return new AppError(ErrorCode.MEDIA_FETCH_FAILED, `Could not fetch the media URL: ${reason}`);
}

function tooLarge(max: number): AppError {
  return new AppError(ErrorCode.MEDIA_TOO_LARGE, `The media is larger than ${max} bytes`, { maxBytes: max });
}
