import { Module } from '@nestjs/common';
import { AudioModule } from '../media/audio/audio.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [SessionsModule, AudioModule], controllers: [HealthController], providers: [HealthService], exports: [HealthService] })
export class HealthModule {}
