import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Accepts 1, 1.5 and the preset strings from GET /api/tts/voices ("0.75", "1.00"). */
const numericString = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;

export class TtsPreviewDto {
  @ApiProperty({
    description: 'What to say. Longer than the provider accepts in one request is split at sentence boundaries; the limit is TTS_MAX_TEXT_CHARS (GET /api/tts/voices → maxTextChars).',
    example: 'Hello! Your order has shipped and will arrive tomorrow.',
  })
  @IsString() @IsNotEmpty() @MaxLength(100_000)
  text: string;

  @ApiPropertyOptional({ description: 'A voice id from GET /api/tts/voices; default TTS_VOICE or the provider default', example: 'coral' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64)
  voice?: string;

  @ApiPropertyOptional({ description: 'Speaking speed, 0.25–4 (1 = normal); a number or a preset string like "0.75"', example: 1, minimum: 0.25, maximum: 4 })
  @IsOptional() @Transform(numericString) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.25) @Max(4)
  speed?: number;

  @ApiPropertyOptional({
    description: 'How to speak (tone, accent, pace). Used by gpt-4o-mini-tts; ignored by tts-1, tts-1-hd and espeak.',
    example: 'Speak warmly and calmly.',
  })
  @IsOptional() @IsString() @MaxLength(2000)
  instructions?: string;
}

export class TtsVoiceDto {
  @ApiProperty({ example: 'coral' }) id: string;
  @ApiProperty({ example: 'Coral' }) name: string;
}

export class TtsSpeedDto {
  @ApiProperty({ example: '1.00', description: 'Send as `speed`' }) value: string;
  @ApiProperty({ example: 'Normal' }) label: string;
}

export class TtsVoicesResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ enum: ['openai', 'espeak'], example: 'openai', description: 'The configured provider (TTS_PROVIDER)' }) provider: string;
  @ApiProperty({ example: 'OpenAI', description: 'Display name; the offline fallback reads "eSpeak NG (offline, robotic)"' }) label: string;
  @ApiProperty({ example: 'gpt-4o-mini-tts' }) model: string;
  @ApiProperty({ example: 'coral' }) defaultVoice: string;
  @ApiProperty({ type: [TtsVoiceDto] }) voices: TtsVoiceDto[];
  @ApiProperty({ type: [TtsSpeedDto] }) speeds: TtsSpeedDto[];
  @ApiProperty({ example: 8000, description: 'Longest accepted text (TTS_MAX_TEXT_CHARS)' }) maxTextChars: number;
  @ApiProperty({ example: true, description: 'Whether `instructions` is used by the configured model' }) supportsInstructions: boolean;
}
