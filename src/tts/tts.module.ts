import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AudioModule } from '../media/audio/audio.module';
import { EspeakTtsProvider } from './providers/espeak-tts.provider';
import { OpenAiTtsProvider } from './providers/openai-tts.provider';
import { TtsCache } from './tts-cache';
import { TTS_PROVIDER, type TtsProvider } from './tts-provider.port';
import { TtsController } from './tts.controller';
import { TtsService } from './tts.service';

/** Text-to-speech voice notes. Exports `TtsService` for the messages module. */
@Module({
  imports: [AudioModule],
  controllers: [TtsController],
  providers: [
    {
      provide: TTS_PROVIDER,
      inject: [AppConfig],
      useFactory: (config: AppConfig): TtsProvider =>
        config.tts.provider === 'openai' ? new OpenAiTtsProvider(config) : new EspeakTtsProvider(config),
    },
    TtsCache,
    TtsService,
  ],
  exports: [TtsService],
})
export class TtsModule {}
