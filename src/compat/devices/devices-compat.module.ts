import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../../auth/auth.module';
import { ContactsModule } from '../../contacts/contacts.module';
import { GroupsModule } from '../../groups/groups.module';
import { MediaModule } from '../../media/media.module';
import { MessagesModule } from '../../messages/messages.module';
import { SessionsModule } from '../../sessions/sessions.module';
import { WebhooksModule } from '../../webhooks/webhooks.module';
import { CompatDeviceEntity } from './compat-device.entity';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';
import { DevicesOwnerRoutes } from './devices-owner-routes';

/** The devices product API under /compat/devices. */
@Module({
  imports: [TypeOrmModule.forFeature([CompatDeviceEntity]), AuthModule, SessionsModule, MessagesModule, ContactsModule, GroupsModule, MediaModule, WebhooksModule],
  controllers: [DevicesController],
  providers: [DevicesService, DevicesOwnerRoutes],
})
export class DevicesCompatModule {}
