import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../../auth/auth.module';
import { ContactsModule } from '../../contacts/contacts.module';
import { GroupsModule } from '../../groups/groups.module';
import { HealthModule } from '../../health/health.module';
import { MessagesModule } from '../../messages/messages.module';
import { SessionsModule } from '../../sessions/sessions.module';
import { SettingsModule } from '../../settings/settings.module';
import { WebhooksModule } from '../../webhooks/webhooks.module';
import { CompatPhoneWebhookEntity } from './entities/compat-phone-webhook.entity';
import { CompatPhoneEntity } from './entities/compat-phone.entity';
import { PhonesAuthController } from './phones-auth.controller';
import { PhonesAuthService } from './phones-auth.service';
import { PhonesContactsController, PhonesController, PhonesWebhooksController } from './phones.controller';
import { PhonesHealthController } from './phones-health.controller';
import { PhonesService } from './phones.service';
import { PhonesWebhooksService } from './phones-webhooks.service';
import { PhonesOwnerRoutes } from './phones-owner-routes';

/** The phones product API under /compat/phones: a thin adapter over the native services. */
@Module({
  imports: [
    TypeOrmModule.forFeature([CompatPhoneEntity, CompatPhoneWebhookEntity]),
    JwtModule.register({}),
    AuthModule,
    SettingsModule,
    SessionsModule,
    MessagesModule,
    ContactsModule,
    GroupsModule,
    WebhooksModule,
    HealthModule,
  ],
  controllers: [PhonesAuthController, PhonesController, PhonesContactsController, PhonesWebhooksController, PhonesHealthController],
  providers: [PhonesAuthService, PhonesService, PhonesWebhooksService, PhonesOwnerRoutes],
})
export class PhonesCompatModule {}
