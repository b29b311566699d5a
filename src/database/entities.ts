import { ApiTokenEntity } from '../auth/entities/api-token.entity';
import { ContactEntity } from '../contacts/entities/contact.entity';
import { MediaEntity } from '../media/entities/media.entity';
import { MessageEntity } from '../messages/entities/message.entity';
import { SessionStatusChangeEntity } from '../sessions/entities/session-status-change.entity';
import { SessionEntity } from '../sessions/entities/session.entity';
import { SettingEntity } from '../settings/entities/setting.entity';
import { AuthKeyEntity } from '../whatsapp/auth-state/auth-key.entity';

export const ENTITIES = [
  SessionEntity,
  SessionStatusChangeEntity,
  AuthKeyEntity,
  ApiTokenEntity,
  SettingEntity,
  MessageEntity,
  MediaEntity,
  ContactEntity,
];
