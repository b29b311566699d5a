import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({ imports: [SessionsModule], controllers: [DashboardController], providers: [DashboardService] })
export class DashboardModule {}
