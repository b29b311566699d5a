import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BigintNumberColumn, CreatedAtColumn } from '../../database/columns';

/**
 * The bytes of one media object when MEDIA_STORAGE=postgres (see PostgresMediaStorage, which
 * reads and writes it with plain SQL so a listing never loads the bytes).
 */
@Entity('media_object')
export class MediaObjectEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ type: 'bytea' }) data: Buffer;
  @BigintNumberColumn() size: number;
  /** When this content was written (an overwrite sets it again). */
  @CreatedAtColumn() createdAt: Date;
}
