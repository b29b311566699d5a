import { Entity, PrimaryColumn } from 'typeorm';
import { TextColumn, UpdatedAtColumn } from '../../database/columns';

/** Server-wide key/value settings: generated JWT secret, admin password hash, … */
@Entity('setting')
export class SettingEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @TextColumn() value: string;
  @UpdatedAtColumn() updatedAt: Date;
}
