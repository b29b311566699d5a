import { locateTool, readVersion, type ToolLocation, type ToolReport } from './tool-location';

/** FFMPEG_PATH's default: look for `ffmpeg` on PATH, then use the npm-packaged binary. */
export const DEFAULT_FFMPEG = 'ffmpeg';

/**
 * The ffmpeg to run: an explicit FFMPEG_PATH, else `ffmpeg` on PATH, else the static build
 * that `@ffmpeg-installer/ffmpeg` ships inside its platform package (no download at install).
 */
export function locateFfmpeg(configured: string = DEFAULT_FFMPEG, pathVariable?: string): ToolLocation {
  return locateTool(configured, DEFAULT_FFMPEG, bundledFfmpegPath, pathVariable);
}

/** Path of the npm-packaged ffmpeg, or undefined when no package exists for this platform. */
export function bundledFfmpegPath(): string | undefined {
  try {
    // The package throws (a string) on platforms it has no binary for.
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/** Source and `ffmpeg -version` of a located ffmpeg. */
export async function describeFfmpeg(location: ToolLocation): Promise<ToolReport> {
  if (location.source === 'missing') return { source: 'missing', available: false };
  const version = await readVersion(location.path, ['-hide_banner', '-version'], /^ffmpeg version (\S+)/m);
  return { source: location.source, available: version !== undefined, ...(version && { version }) };
}
