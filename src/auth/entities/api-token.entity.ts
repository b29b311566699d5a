import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TokenRole = 'admin' | 'api';

/** An API token. Only the SHA-256 of the secret is stored; the secret is shown once. */
@Entity('api_token')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', name: 'token_hash', unique: true })
  tokenHash: string;

  /** First characters of the token, so a person can tell tokens apart in a list. */
  @Column({ type: 'text', name: 'token_prefix' })
  tokenPrefix: string;

  @Column({ type: 'text' })
  role: TokenRole;

  /** When set, the token may act on this session only. */
  @Column({ type: 'text', name: 'session_id', nullable: true })
  sessionId: string | null;

  /** When set, the token may act on sessions of this workspace only. */
  @Column({ type: 'text', nullable: true })
  workspace: string | null;

  @Column({ type: 'timestamptz', name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'timestamptz', name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
