import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { CryptoModule } from './crypto/crypto.module';
import { NativeExceptionFilter } from './common/filters/native-exception.filter';
import { LoggingModule } from './common/logging/logging.module';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MessagesModule } from './messages/messages.module';
import { SentMessagesModule } from './messages/sent-messages.module';
import { ContactsModule } from './contacts/contacts.module';
import { ContactRepliesModule } from './contacts/contact-replies.module';
import { GroupsModule } from './groups/groups.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ForwardingModule } from './sessions/forwarding.module';
import { SessionsModule } from './sessions/sessions.module';
import { SettingsModule } from './settings/settings.module';
import { AudioModule } from './media/audio/audio.module';
import { TtsModule } from './tts/tts.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WebhooksOutboxModule } from './webhooks/webhooks-outbox.module';
import { TemplatesModule } from './templates/templates.module';
import { CloudApiModule } from './cloud-api/cloud-api.module';
import { CompatModule } from './compat/compat.module';
import { WebUiModule } from './web-ui/web-ui.module';
import { MetricsEndpointModule, MetricsModule } from './metrics/metrics.module';

@Module({})
export class AppModule {
  /** The whole application for one validated configuration. */
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        LoggingModule,
        DatabaseModule,
        CryptoModule,
        EventsModule,
        MetricsModule,
        SettingsModule,
        AuthModule,
        SessionsModule,
        ForwardingModule,
        AudioModule,
        TtsModule,
        HealthModule,
        MessagesModule,
        SentMessagesModule,
        WebhooksModule,
        WebhooksOutboxModule,
        ContactsModule,
        ContactRepliesModule,
        GroupsModule,
        DashboardModule,
        TemplatesModule,
        CompatModule,
        WebUiModule,
        MetricsEndpointModule,
        // Last: Meta's Graph paths are matched after every native route.
        CloudApiModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: NativeExceptionFilter },
      ],
    };
  }
}
