import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, JsonbColumn, TextColumn, UpdatedAtColumn } from '../../database/columns';

export type TemplateStatus = 'APPROVED' | 'PAUSED' | 'DISABLED';
export type TemplateButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'OTP' | 'FLOW' | 'CATALOG' | 'MPM' | 'VOICE_CALL';
export type TemplateParameterFormat = 'POSITIONAL' | 'NAMED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface TemplateButton {
  type: TemplateButtonType;
  text?: string;
  url?: string;
  phone_number?: string;
  /** OTP buttons: COPY_CODE, ONE_TAP or ZERO_TAP. */
  otp_type?: string;
  /** FLOW buttons: the flow and how it opens (kept as given, shown as the button label). */
  flow_id?: string;
  flow_name?: string;
  flow_action?: string;
  navigate_screen?: string;
  /** Meta's sample values (URL and COPY_CODE buttons): kept so definitions read back as sent. */
  example?: unknown;
}

/** A component in Meta's template-definition format (so definitions copy over from Meta). */
export interface TemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  buttons?: TemplateButton[];
  /** Meta's sample values (`header_text`, `header_handle`, `body_text`, `body_text_named_params`): kept, not used. */
  example?: Record<string, unknown>;
  /** AUTHENTICATION templates: the BODY adds "For your security, do not share this code." */
  add_security_recommendation?: boolean;
  /** AUTHENTICATION templates: the FOOTER reads "This code expires in N minutes." */
  code_expiration_minutes?: number;
}

/**
 * A message template users define for the Cloud API facade's `type: "template"` sends. One
 * translation per (name, language) in each scope: every session (`sessionId` and `workspace`
 * null), the sessions of one workspace (a Cloud API WhatsApp Business Account), or one session.
 */
@Entity('message_template')
export class MessageTemplateEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @TextColumn({ name: 'session_id', nullable: true }) sessionId: string | null;
  /** Set on templates of a workspace (created through `/{waba-id}/message_templates`); never with `sessionId`. */
  @TextColumn({ nullable: true }) workspace: string | null;
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
