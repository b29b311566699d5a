import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { UI_BASE } from '../common/http/ui-path';

export { UI_BASE };

/**
 * The dashboard's build output (`npm run build` → `dist/web`). The server runs from
 * `dist/src` (`npm start`) or `build/src` (the tests); both are two levels under the checkout.
 */
export function defaultWebDir(): string {
  return resolve(__dirname, '..', '..', '..', 'dist', 'web');
}

export type UiFile = { kind: 'asset' | 'file' | 'index'; path: string };

/**
 * What to answer for a path under /ui/: a hashed asset (cached for a year), another file of
 * the build (the icon), or index.html for every other path (the app's own routes, deep links
 * such as /ui/sessions/qr_…). A path that looks like a file (has an extension) and is not
 * one is not found (null) rather than answered with the page. Never leaves `root`.
 */
export function resolveUiFile(root: string, requestPath: string): UiFile | null {
  let rel: string;
  try {
    rel = decodeURIComponent(requestPath.slice(UI_BASE.length + 1));
  } catch {
    return null;
  }
  const index = { kind: 'index' as const, path: resolve(root, 'index.html') };
  if (rel === '' || rel.includes('\0')) return rel === '' ? index : null;
  const full = resolve(root, rel);
  if (!full.startsWith(root + sep)) return null;
  const last = rel.split('/').pop() ?? '';
  if (rel.split('/').some((s) => s.startsWith('.'))) return null;
  if (existsSync(full) && statSync(full).isFile()) return { kind: rel.startsWith('assets/') ? 'asset' : 'file', path: full };
  if (rel.startsWith('assets/') || /\.[a-z0-9]+$/i.test(last)) return null;
  return index;
}
