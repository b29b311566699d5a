import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type TemplateStatus = 'APPROVED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface TemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE';
  text?: string;
  url?: string;
  phone_number?: string;
}

/** A component in Meta's template-definition format (so definitions copy over from Meta). */
export interface TemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  buttons?: TemplateButton[];
}

/**
 * A message template users define for the Cloud API facade's `type: "template"` sends. One
 * translation per (name, language), either for every session (`sessionId` null) or for one.
 */
@Entity('message_template')
export class MessageTemplateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column({ type: 'text' })
  name: string;

  /** Meta's language code, e.g. `en_US`. */
  @Column({ type: 'text' })
  language: string;

  @Column({ type: 'text' })
  category: TemplateCategory;

  /** PAUSED and DISABLED templates are refused with Meta's 132015 / 132016. */
  @Column({ type: 'text' })
  status: TemplateStatus;

  @Column({ type: 'jsonb' })
  components: TemplateComponent[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
