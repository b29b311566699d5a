import { ApiTokenEntity } from '../auth/entities/api-token.entity';
import { ClusterNodeEntity } from '../cluster/entities/cluster-node.entity';
import { SessionLeaseEntity } from '../cluster/entities/session-lease.entity';
import { CloudApiMediaEntity } from '../cloud-api/entities/cloud-api-media.entity';
import { CloudApiMessageEntity } from '../cloud-api/entities/cloud-api-message.entity';
import { CompatConnectionEntity } from '../compat/connections/entities/compat-connection.entity';
import { CompatPhoneEntity } from '../compat/phones/entities/compat-phone.entity';
import { CompatPhoneWebhookEntity } from '../compat/phones/entities/compat-phone-webhook.entity';
import { GatewaySessionEntity } from '../compat/gateway/entities/gateway-session.entity';
import { CompatDeviceEntity } from '../compat/devices/compat-device.entity';
import { ContactEntity } from '../contacts/entities/contact.entity';
import { MediaEntity } from '../media/entities/media.entity';
import { MediaObjectEntity } from '../media/entities/media-object.entity';
import { MessageEntity } from '../messages/entities/message.entity';
import { SessionStatusChangeEntity } from '../sessions/entities/session-status-change.entity';
import { SessionEntity } from '../sessions/entities/session.entity';
import { SettingEntity } from '../settings/entities/setting.entity';
import { MessageTemplateEntity } from '../templates/entities/message-template.entity';
import { AuthKeyEntity } from '../whatsapp/auth-state/auth-key.entity';
import { WebhookDeliveryAttemptEntity } from '../webhooks/entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from '../webhooks/entities/webhook-delivery.entity';
import { WebhookEntity } from '../webhooks/entities/webhook.entity';

export const ENTITIES = [
  SessionEntity,
  SessionStatusChangeEntity,
  AuthKeyEntity,
  ApiTokenEntity,
  SettingEntity,
  MessageEntity,
  MediaEntity,
  MediaObjectEntity,
  ContactEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  WebhookDeliveryAttemptEntity,
  CloudApiMediaEntity,
  CloudApiMessageEntity,
  MessageTemplateEntity,
  CompatConnectionEntity,
  CompatPhoneEntity,
  CompatPhoneWebhookEntity,
  GatewaySessionEntity,
  CompatDeviceEntity,
  ClusterNodeEntity,
  SessionLeaseEntity,
];
