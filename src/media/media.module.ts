import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { AudioModule } from './audio/audio.module';
import { MediaEntity } from './entities/media.entity';
import { LocalDiskMediaStorage, MEDIA_STORAGE } from './media-storage';
import { MediaService } from './media.service';

@Module({
  imports: [TypeOrmModule.forFeature([MediaEntity]), AudioModule],
  providers: [
    MediaService,
    { provide: MEDIA_STORAGE, inject: [AppConfig], useFactory: (config: AppConfig) => new LocalDiskMediaStorage(config.media.dir) },
  ],
  exports: [MediaService],
})
export class MediaModule {}
