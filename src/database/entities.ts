import { ApiTokenEntity } from '../auth/entities/api-token.entity';
import { SessionStatusChangeEntity } from '../sessions/entities/session-status-change.entity';
import { SessionEntity } from '../sessions/entities/session.entity';
import { SettingEntity } from '../settings/entities/setting.entity';
import { AuthKeyEntity } from '../whatsapp/auth-state/auth-key.entity';

export const ENTITIES = [SessionEntity, SessionStatusChangeEntity, AuthKeyEntity, ApiTokenEntity, SettingEntity];
