import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Server-wide key/value settings: generated JWT secret, admin password hash, … */
@Entity('setting')
export class SettingEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  value: string;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
