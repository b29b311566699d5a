import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where an external program comes from: the path set in the environment (FFMPEG_PATH,
 * ESPEAK_PATH), the system's PATH, the copy shipped in an npm package, or nowhere.
 */
export type ToolSource = 'configured' | 'system' | 'bundled' | 'missing';

export interface ToolLocation {
  /** What to spawn; for `missing`, the name that was looked for. */
  path: string;
  source: ToolSource;
}

/** What /api/health shows for one tool. */
export interface ToolReport {
  source: ToolSource;
  /** False when the tool could not be started (then `version` is absent). */
  available: boolean;
  /** The tool's own version string, when it could be read. */
  version?: string;
}

/**
 * `name` on the PATH, as the shell would find it: the first directory holding an executable
 * file of that name. Undefined when there is none.
 */
export function findOnPath(name: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolution shared by ffmpeg and espeak-ng. A configured value other than the default
 * command name is the operator's explicit choice and used as is (no fallback, so a typo
 * shows up as a clear error). The default name is looked up on PATH; when it is not there,
 * `bundled()` gives the npm-packaged copy, if any.
 */
export function locateTool(configured: string, defaultName: string, bundled: () => string | undefined, pathVariable?: string): ToolLocation {
  if (configured !== defaultName) {
    const explicit = configured.includes('/') || isAbsolute(configured) ? configured : findOnPath(configured, pathVariable) ?? configured;
    return { path: explicit, source: 'configured' };
  }
  const onPath = findOnPath(defaultName, pathVariable);
  if (onPath) return { path: onPath, source: 'system' };
  const shipped = bundled();
  if (shipped) return { path: shipped, source: 'bundled' };
  return { path: defaultName, source: 'missing' };
}

/** First line of `<path> <args>` output matched by `pattern`, or undefined (missing binary, timeout). */
export function readVersion(path: string, args: string[], pattern: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, args, { timeout: 5_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve(undefined);
      resolve(pattern.exec(String(stdout))?.[1]);
    });
  });
}
