import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AudioModule } from '../media/audio/audio.module';
import { LocalDiskMediaStorage, MEDIA_STORAGE, type MediaStorage } from '../media/media-storage';
import { MediaModule } from '../media/media.module';
import { PrefixedMediaStorage } from '../media/storage/prefixed-media-storage';
import { EspeakTtsProvider } from './providers/espeak-tts.provider';
import { OpenAiTtsProvider } from './providers/openai-tts.provider';
import { TTS_CACHE_STORAGE, TtsCache } from './tts-cache';
import { TTS_PROVIDER, type TtsProvider } from './tts-provider.port';
import { TtsController } from './tts.controller';
import { TtsService } from './tts.service';

/** Text-to-speech voice notes. Exports `TtsService` for the messages module. */
@Module({
  imports: [AudioModule, MediaModule],
  controllers: [TtsController],
  providers: [
    {
      provide: TTS_PROVIDER,
      inject: [AppConfig],
      useFactory: (config: AppConfig): TtsProvider =>
        config.tts.provider === 'openai' ? new OpenAiTtsProvider(config) : new EspeakTtsProvider(config),
    },
    {
      // Disk: DATA_DIR/tts-cache as before. Shared backends: `tts-cache/` in the media storage.
      provide: TTS_CACHE_STORAGE,
      inject: [AppConfig, MEDIA_STORAGE],
      useFactory: (config: AppConfig, media: MediaStorage): MediaStorage =>
        config.media.storage === 'disk' ? new LocalDiskMediaStorage(config.tts.cacheDir) : new PrefixedMediaStorage(media, 'tts-cache/'),
    },
    TtsCache,
    TtsService,
  ],
  exports: [TtsService],
})
export class TtsModule {}
