import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AudioModule } from './audio/audio.module';
import { MediaEntity } from './entities/media.entity';
import { MEDIA_STORAGE } from './media-storage';
import { MediaService } from './media.service';
import { createMediaStorage } from './storage/create-media-storage';

/**
 * Media: the `media` rows and their bytes behind the MEDIA_STORAGE port (disk, Postgres or
 * S3-compatible storage). Exports the port too, for the voice notes the TTS cache keeps.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MediaEntity]), AudioModule],
  providers: [
    MediaService,
    { provide: MEDIA_STORAGE, inject: [AppConfig, DataSource], useFactory: (config: AppConfig, db: DataSource) => createMediaStorage(config, db) },
  ],
  exports: [MediaService, MEDIA_STORAGE],
})
export class MediaModule {}
