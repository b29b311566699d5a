import { applyDecorators, Body, Controller, Get, HttpCode, Post, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrorResponses, ErrorEnvelopeDto } from '../common/swagger/api-error-responses';
import { TtsPreviewDto, TtsVoicesResponseDto } from './dto/tts.dto';
import { TtsService } from './tts.service';

const TTS_ERRORS: [number, string][] = [
  [422, 'The text or options cannot be spoken (TTS_INVALID_INPUT, TTS_TEXT_TOO_LONG)'],
  [429, 'The provider is rate limiting us; Retry-After says when to try again (TTS_RATE_LIMITED)'],
  [502, 'The provider failed or returned unusable audio (TTS_PROVIDER_ERROR)'],
  [503, 'TTS is not usable: key refused, quota exhausted, espeak-ng or ffmpeg missing (TTS_MISCONFIGURED, FFMPEG_UNAVAILABLE)'],
  [504, 'The provider did not answer in time (TTS_TIMEOUT)'],
];

@ApiTags('TTS')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/tts')
export class TtsController {
  constructor(private readonly tts: TtsService) {}

  @Get('voices')
  @ApiOperation({
    summary: 'TTS voices and speeds',
    description:
      'The voices the configured provider offers and the speed presets. Without OPENAI_API_KEY the offline espeak-ng ' +
      'provider answers: it offers OpenAI\'s voice names too (each spoken by an espeak-ng voice of its own, so requests ' +
      'written for OpenAI work unchanged) plus one voice per language, all marked robotic.',
  })
  @ApiOkResponse({ type: TtsVoicesResponseDto })
  @ApiErrorResponses(401)
  async voices(): Promise<TtsVoicesResponseDto> {
    return { success: true, ...(await this.tts.catalog()) };
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Speak a text as a voice note',
    description:
      'Returns the WhatsApp voice note (Ogg Opus, mono, 48 kHz) that sending this text as a voice message would deliver. ' +
      'Results are cached by text, voice, speed, instructions, provider and model: a repeated request answers from the cache ' +
      '(X-Tts-Cache: hit) without calling the provider.',
  })
  @ApiProduces('audio/ogg')
  @ApiOkResponse({
    description: 'The voice note',
    content: { 'audio/ogg': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'X-Voice-Note-Seconds': { description: 'Duration in whole seconds, rounded up (WhatsApp `seconds`)', schema: { type: 'integer' } },
      'X-Voice-Note-Duration-Ms': { description: 'Exact duration in milliseconds', schema: { type: 'integer' } },
      'X-Voice-Note-Waveform': { description: 'The 64 waveform values (0–100), base64', schema: { type: 'string' } },
      'X-Tts-Cache': { description: '`hit` when no provider call was made, else `miss`', schema: { type: 'string', enum: ['hit', 'miss'] } },
      'X-Tts-Cache-Key': { description: 'Reference of this audio in the TTS cache', schema: { type: 'string' } },
      'X-Tts-Provider': { description: 'Who spoke: `openai`, or `espeak` (offline, no key)', schema: { type: 'string', enum: ['openai', 'espeak'] } },
      'X-Tts-Model': { description: 'The provider model, e.g. `gpt-4o-mini-tts` or `espeak-ng`', schema: { type: 'string' } },
    },
  })
  @ApiErrorResponses(400, 401)
  @TtsErrorResponses()
  async preview(@Body() dto: TtsPreviewDto, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const { note, cacheKey, cached, provider, model } = await this.tts.synthesizeVoiceNote(dto);
    res.setHeader('X-Voice-Note-Seconds', String(note.seconds));
    res.setHeader('X-Voice-Note-Duration-Ms', String(note.durationMs));
    res.setHeader('X-Voice-Note-Waveform', Buffer.from(note.waveform).toString('base64'));
    res.setHeader('X-Tts-Cache', cached ? 'hit' : 'miss');
    res.setHeader('X-Tts-Cache-Key', cacheKey);
    res.setHeader('X-Tts-Provider', provider);
    res.setHeader('X-Tts-Model', model);
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(note.data, { type: note.mimetype, disposition: 'inline; filename="voice-note.ogg"', length: note.data.length });
  }
}

function TtsErrorResponses() {
  return applyDecorators(...TTS_ERRORS.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })));
}
