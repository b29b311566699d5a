import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A media file, stored once per content hash (a broadcast of one image stores it once). */
@Entity('media')
export class MediaEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  sha256: string;

  @Column({ type: 'text' })
  mimetype: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column({ type: 'text', name: 'file_name', nullable: true })
  fileName: string | null;

  @Column({ type: 'text', name: 'storage_key' })
  storageKey: string;

  /** Voice notes: duration and the 64-point waveform (base64), computed once. */
  @Column({ type: 'int', nullable: true })
  seconds: number | null;

  @Column({ type: 'text', nullable: true })
  waveform: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
