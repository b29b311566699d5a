import { execFileSync } from 'node:child_process';
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
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, join(dir, out)]);
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
