import { Module, OnModuleInit } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { memoryStorage } from 'multer';
import { AppConfig } from '../config/app-config';
import { MediaModule } from '../media/media.module';
import { MessagesModule } from '../messages/messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SettingsModule } from '../settings/settings.module';
import { TemplatesModule } from '../templates/templates.module';
import { WebhookFormats } from '../webhooks/formats/webhook-formats';
import { AuthModule } from '../auth/auth.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CloudApiAccountController } from './cloud-api-account.controller';
import { CloudApiAccountService } from './cloud-api-account.service';
import { CloudApiBusinessProfileService } from './cloud-api-business-profile.service';
import { CloudApiMediaService } from './cloud-api-media.service';
import { CloudApiSendMemory } from './cloud-api-send-memory';
import { CloudApiWebhookFormatter } from './cloud-api-webhook.formatter';
import { CloudApiPhoneNumbersService } from './cloud-api-phone-numbers.service';
import { CloudApiController } from './cloud-api.controller';
import { CloudApiTemplatesController } from './cloud-api-templates.controller';
import { CloudApiTemplatesService } from './cloud-api-templates.service';
import { WabaDirectory } from './waba-directory';
import { CloudApiService } from './cloud-api.service';
import { CloudApiMediaEntity } from './entities/cloud-api-media.entity';
import { CloudApiMessageEntity } from './entities/cloud-api-message.entity';

/**
 * Meta's WhatsApp Cloud API on top of Switchboard: its routes are mounted under
 * `/cloud-api` (Meta's paths are rewritten there by `cloudApiRouting()`, which `bootstrap.ts`
 * installs before every route). Import it after the native modules.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([CloudApiMediaEntity, CloudApiMessageEntity]),
    SessionsModule,
    MessagesModule,
    MediaModule,
    SettingsModule,
    TemplatesModule,
    WebhooksModule,
    AuthModule,
    MulterModule.registerAsync({
      inject: [AppConfig],
      // Meta's largest upload is a 100 MB document; MEDIA_MAX_BYTES caps it further.
      useFactory: (config: AppConfig) => ({ storage: memoryStorage(), limits: { fileSize: Math.min(config.media.maxBytes, 100 * 1024 * 1024), files: 1, fields: 20 } }),
    }),
  ],
  // The account controller first: its static `debug_token` and `me` must win over `GET /{id}`.
  controllers: [CloudApiAccountController, CloudApiTemplatesController, CloudApiController],
  providers: [
    CloudApiService,
    CloudApiMediaService,
    CloudApiPhoneNumbersService,
    CloudApiAccountService,
    CloudApiBusinessProfileService,
    CloudApiSendMemory,
    WabaDirectory,
    CloudApiTemplatesService,
  ],
  exports: [CloudApiService, CloudApiMediaService, CloudApiPhoneNumbersService, WabaDirectory],
})
export class CloudApiModule implements OnModuleInit {
  constructor(
    private readonly formats: WebhookFormats,
    private readonly memory: CloudApiSendMemory,
    private readonly config: AppConfig,
  ) {}

  /** Webhook subscriptions may name `format: "cloud-api"` (Meta's payloads and signature). */
  onModuleInit(): void {
    this.formats.register(new CloudApiWebhookFormatter(this.memory, this.config.webhooks.timeoutMs));
  }
}
