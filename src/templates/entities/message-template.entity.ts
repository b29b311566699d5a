import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, JsonbColumn, TextColumn, UpdatedAtColumn } from '../../database/columns';

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
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;
  @TextColumn() name: string;

  /** Meta's language code, e.g. `en_US`. */
  @TextColumn() language: string;
  @TextColumn() category: TemplateCategory;

  /** PAUSED and DISABLED templates are refused with Meta's 132015 / 132016. */
  @TextColumn() status: TemplateStatus;
  @JsonbColumn() components: TemplateComponent[];
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
