import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigintNumberColumn, CreatedAtColumn, IntColumn, TextColumn } from '../../database/columns';

/** A media file, stored once per content hash (a broadcast of one image stores it once). */
@Entity('media')
export class MediaEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn({ unique: true }) sha256: string;
  @TextColumn() mimetype: string;
  @BigintNumberColumn() size: number;
  @TextColumn({ name: 'file_name', nullable: true }) fileName: string | null;
  @TextColumn({ name: 'storage_key' }) storageKey: string;

  /** Voice notes: duration and the 64-point waveform (base64), computed once. */
  @IntColumn({ nullable: true }) seconds: number | null;
  @TextColumn({ nullable: true }) waveform: string | null;
  @CreatedAtColumn() createdAt: Date;
}
