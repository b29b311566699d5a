import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';

/**
 * Details every audio error carries. `transient` tells a queue whether trying the same
 * input again may succeed (a timeout under load) or never will (undecodable bytes).
 */
export interface AudioErrorDetails {
  reason: 'empty' | 'undecodable' | 'no_audio' | 'too_large' | 'timeout' | 'ffmpeg_failed' | 'ffmpeg_missing';
  transient: boolean;
  [key: string]: unknown;
}

export function audioInvalid(message: string, reason: AudioErrorDetails['reason'], cause?: unknown): AppError {
  return new AppError(ErrorCode.AUDIO_INVALID, message, { reason, transient: false } satisfies AudioErrorDetails, { cause });
}

export function audioConversionFailed(message: string, details: AudioErrorDetails, cause?: unknown): AppError {
  return new AppError(ErrorCode.AUDIO_CONVERSION_FAILED, message, details, { cause });
}

export function ffmpegUnavailable(path: string, cause?: unknown): AppError {
  return new AppError(
    ErrorCode.FFMPEG_UNAVAILABLE,
    `ffmpeg could not be started (${path}); install ffmpeg with libopus, or unset FFMPEG_PATH to use the npm-packaged one`,
    { reason: 'ffmpeg_missing', transient: false } satisfies AudioErrorDetails,
    { cause },
  );
}
