import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn, TimestampColumn } from '../../database/columns';
import type { ProductApi } from '../product-api';

export type TokenRole = 'admin' | 'api';

/** An API token. Only the SHA-256 of the secret is stored; the secret is shown once. */
@Entity('api_token')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn() name: string;
  @TextColumn({ name: 'token_hash', unique: true }) tokenHash: string;

  /** First characters of the token, so a person can tell tokens apart in a list. */
  @TextColumn({ name: 'token_prefix' }) tokenPrefix: string;
  @TextColumn() role: TokenRole;

  /** When set, the token may act on this session only. */
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;

  /** When set, the token may act on sessions of this workspace only. */
  @TextColumn({ nullable: true }) workspace: string | null;

  /** When set, the token works on this sibling product's API only (`/compat/<api>`), never on the native API. */
  @TextColumn({ nullable: true }) api: ProductApi | null;
  @TimestampColumn({ name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @TimestampColumn({ name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
  @TimestampColumn({ name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
}
