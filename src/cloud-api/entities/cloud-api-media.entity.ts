import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One upload through the facade: a Meta-style numeric media id over the shared media store
 * (which keeps bytes once per hash), owned by the session it was uploaded to. Deleting it
 * never breaks message rows that reference the same stored media.
 */
@Entity('cloud_api_media')
export class CloudApiMediaEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'uuid', name: 'media_id' })
  mediaId: string;

  @Column({ type: 'text', name: 'session_id' })
  sessionId: string;

  /** The MIME type the client declared (Meta echoes it in `mime_type`). */
  @Column({ type: 'text', name: 'mime_type' })
  mimeType: string;

  @Column({ type: 'text', name: 'file_name', nullable: true })
  fileName: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  /** Meta keeps uploads 30 days. */
  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt: Date;
}
