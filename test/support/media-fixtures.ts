import { execFileSync } from 'node:child_process';
import { FFMPEG } from '../fixtures/audio-fixtures';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** Real media files made on the spot (sharp, ffmpeg) and a loopback server that serves them. */
export interface MediaFixtures {
  png: Buffer;
  bigPng: Buffer;
  mp4: Buffer;
  mp3: Buffer;
  wav: Buffer;
  pdf: Buffer;
  csv: Buffer;
}

let cached: MediaFixtures | undefined;

export async function mediaFixtures(): Promise<MediaFixtures> {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sb-media-'));
  const ffmpeg = (args: string[], out: string) => {
    execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args, join(dir, out)]);
    return readFileSync(join(dir, out));
  };
  cached = {
    png: await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } } }).png().toBuffer(),
    bigPng: await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer(),
    mp4: ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264'], 'clip.mp4'),
    mp3: ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'libmp3lame', '-b:a', '64k'], 'tone.mp3'),
    wav: ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=330:duration=3'], 'tone.wav'),
    pdf: Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    ),
    csv: Buffer.from('name,phone\nJo,919846303025\n'),
  };
  return cached;
}

export interface FileServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Serves `files` by name on 127.0.0.1; `/redirect/<name>` redirects to it; `/missing` is a 404. */
export async function serveFiles(files: Record<string, Buffer>): Promise<FileServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const redirect = /^\/redirect\/(\d+)\/(.+)$/.exec(path);
    if (redirect) {
      const left = Number(redirect[1]);
      res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}/${redirect[2]}` : `/${redirect[2]}` }).end();
      return;
    }
    const body = files[path.slice(1)];
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A valid PNG of `width`×`height` black grayscale pixels: a few hundred kilobytes that decode
 * to width×height bytes (16000×16000: 256 MB). Rows are deflated as a stream, so making it
 * never holds the pixels.
 */
export async function pixelBombPng(width: number, height: number): Promise<Buffer> {
  const { createDeflate, crc32 } = await import('node:zlib');
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale, deflate, no filter, no interlace
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(width + 1); // filter byte 0 and black pixels
  for (let y = 0; y < height; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(out)), chunk('IEND', Buffer.alloc(0))]);
}
