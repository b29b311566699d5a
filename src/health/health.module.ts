import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [SessionsModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
