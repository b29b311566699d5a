/**
 * TEST-ONLY preload: `node -r ./build/test/wa-sim/preload.js dist/src/main.js`
 *
 * Makes a separately started process (the gateway) trust a separately started simulator:
 *   WA_SIMULATOR_ROOT_KEY  hex `rootPublicKey` from the simulator's JSON line (required)
 *   WA_SIMULATOR_MEDIA_CA  the media CA: PEM text, or a path to a PEM file (optional)
 * Without WA_SIMULATOR_ROOT_KEY it does nothing, so it cannot weaken a normal start by
 * accident; but it must still never be part of a production image or command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { trustSimulator } from './trust';

const rootPublicKey = process.env.WA_SIMULATOR_ROOT_KEY;
if (rootPublicKey && process.env.NODE_ENV === 'production') {
  throw new Error('[wa-sim preload] refusing to trust a WhatsApp simulator with NODE_ENV=production');
}
if (rootPublicKey) {
  const mediaEnv = process.env.WA_SIMULATOR_MEDIA_CA;
  let mediaCaPem: string | undefined;
  if (mediaEnv) {
    mediaCaPem = mediaEnv.includes('-----BEGIN') ? mediaEnv : existsSync(mediaEnv) ? readFileSync(mediaEnv, 'utf8') : undefined;
    if (!mediaCaPem) throw new Error(`WA_SIMULATOR_MEDIA_CA is neither PEM nor a readable file: ${mediaEnv}`);
  }
  trustSimulator({ rootPublicKey, mediaCaPem });
  process.stderr.write(`[wa-sim preload] trusting WhatsApp simulator root ${rootPublicKey.slice(0, 12)}…${mediaCaPem ? ' and its media CA' : ''}\n`);
}
