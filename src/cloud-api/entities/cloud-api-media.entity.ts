import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn, TimestampColumn, UuidColumn } from '../../database/columns';

/**
 * One upload through the facade: a Meta-style numeric media id over the shared media store
 * (which keeps bytes once per hash), owned by the session it was uploaded to. Deleting it
 * never breaks message rows that reference the same stored media.
 */
@Entity('cloud_api_media')
export class CloudApiMediaEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @UuidColumn({ name: 'media_id' }) mediaId: string;
  @TextColumn({ name: 'session_id' }) sessionId: string;

  /** The MIME type the client declared (Meta echoes it in `mime_type`). */
  @TextColumn({ name: 'mime_type' }) mimeType: string;
  @TextColumn({ name: 'file_name', nullable: true }) fileName: string | null;
  @CreatedAtColumn() createdAt: Date;

  /** Meta keeps uploads 30 days. */
  @TimestampColumn({ name: 'expires_at' }) expiresAt: Date;
}
