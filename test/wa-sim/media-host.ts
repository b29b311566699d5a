/**
 * Loopback stand-in for WhatsApp's media CDN (mmg.whatsapp.net).
 *
 * Upload, as done by getWAUploadToServer (lib/Utils/messages-media.js):
 *   POST https://<media_conn host>/mms/<type>/<fileEncSha256 b64url>?auth=…&token=…
 *   body = AES-CBC ciphertext ‖ 10-byte HMAC; reply JSON { url, direct_path }.
 * Download, as done by downloadContentFromMessage: GET https://<host><directPath>.
 * Blobs stay encrypted here, exactly like on the real CDN; only the recipient's keys
 * (mediaKey in the E2E message) open them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeMediaTls, type MediaTlsMaterial } from './tls-cert';

export const MEDIA_AUTH = 'wa-sim-media-auth';
const MAX_UPLOAD = 100 * 1024 * 1024;

export interface StoredMedia {
  bytes: Buffer;
  mediaType: string;
  uploadedAt: string;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class MediaHost {
  readonly tls: MediaTlsMaterial = makeMediaTls();
  private server?: Server;
  private readonly blobs = new Map<string, StoredMedia>();
  private port = 0;
  uploads = 0;
  downloads = 0;

  constructor(private readonly host = '127.0.0.1') {}

  /** `host:port` as advertised in `<media_conn><host hostname>`. */
  get hostname(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get url(): string {
    return `https://${this.hostname}`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://media.invalid');
      const fail = (code: number, message: string) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: message }));
      };
      if (req.method === 'POST' && url.pathname.startsWith('/mms/')) {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_UPLOAD) req.destroy();
          else chunks.push(c);
        });
        req.on('end', () => {
          if (url.searchParams.get('auth') !== MEDIA_AUTH) return fail(401, 'bad media auth');
          const body = Buffer.concat(chunks);
          const [, , mediaType, token] = url.pathname.split('/');
          // The path token is base64url(fileEncSha256): the CDN checks the upload is intact.
          if (token !== b64url(createHash('sha256').update(body).digest())) return fail(400, 'fileEncSha256 mismatch');
          const { url: mediaUrl, directPath } = this.put(body, mediaType ?? 'unknown');
          this.uploads++;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ url: mediaUrl, direct_path: directPath }));
        });
        return;
      }
      if (req.method === 'GET' && url.pathname.startsWith('/v/')) {
        const blob = this.blobs.get(url.pathname);
        if (!blob) return fail(404, 'no such media');
        this.downloads++;
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), blob.bytes.length - 1) : blob.bytes.length - 1;
          res.writeHead(206, {
            'content-type': 'application/octet-stream',
            'content-range': `bytes ${start}-${end}/${blob.bytes.length}`,
          });
          return res.end(blob.bytes.subarray(start, end + 1));
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.bytes.length });
        return res.end(blob.bytes);
      }
      fail(404, 'not a media endpoint');
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Store an encrypted blob (used by uploads and by contacts sending media). */
  put(bytes: Buffer, mediaType: string): { url: string; directPath: string } {
    const id = randomBytes(12).toString('hex');
    const path = `/v/t62.7118-24/${id}.enc`;
    this.blobs.set(path, { bytes, mediaType, uploadedAt: new Date().toISOString() });
    const directPath = `${path}?ccb=11-4&oh=wa-sim&oe=FFFFFFFF`;
    return { url: `${this.url}${directPath}`, directPath };
  }

  /** Look a blob up by direct path or full URL (query string ignored). */
  get(directPathOrUrl: string): StoredMedia | undefined {
    const path = new URL(directPathOrUrl, 'https://media.invalid').pathname;
    return this.blobs.get(path);
  }
}
