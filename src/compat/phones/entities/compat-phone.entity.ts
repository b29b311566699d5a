import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TextColumn, UpdatedAtColumn } from '../../../database/columns';

/** A phone number added through the phones manager API, and the native session that links it. */
@Entity('compat_phone')
export class CompatPhoneEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** International number, digits only (`919876543210`); unique. */
  @TextColumn() phone: string;
  /** The `country` given when it was added (ISO-2 or calling code), if any. */
  @TextColumn({ nullable: true }) country: string | null;
  /** The native session (`session.id`) created by `connect`; null until then. */
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
