import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Principal } from '../auth/principal';
import { phoneNumberIdOf, wabaIdOf } from '../common/utils/graph-ids';
import type { ListSessionsQueryDto, SessionDto } from '../sessions/dto/session.dto';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionResolver } from '../sessions/session-resolver';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { GraphObjectNotFoundError } from './cloud-api.errors';
import { pickFields, selectFields } from './graph-fields';

/** What Graph returns for a phone number without `fields`. */
export const PHONE_DEFAULT_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'id'];

/**
 * Every field Meta documents for the WhatsApp Business Phone Number node. All are accepted in
 * `fields`; those Switchboard cannot fill for a linked device are left out of the answer.
 */
export const PHONE_NUMBER_FIELDS: ReadonlySet<string> = new Set([
  ...PHONE_DEFAULT_FIELDS,
  'account_mode',
  'certificate',
  'conversational_automation',
  'country_code',
  'country_dial_code',
  'eligibility_for_api_business_global_search',
  'health_status',
  'is_official_business_account',
  'is_on_biz_app',
  'is_pin_enabled',
  'is_preverified_number',
  'last_onboarded_time',
  'messaging_limit_tier',
  'name_status',
  'new_certificate',
  'new_display_phone_number',
  'new_name_status',
  'official_business_account',
  'quality_score',
  'search_visibility',
  'status',
  'webhook_configuration',
  'whatsapp_business_manager_messaging_limit',
]);

/** The parts of a session a phone-number node is built from. */
export interface NumberSource {
  id: string;
  phoneNumberId: string;
  workspace: string | null;
  name: string | null;
  pushName: string | null;
  mobileNumber: string | null;
  status: SessionStatus;
  connectedAt: Date | null;
}

/** The Graph ids of the business and app that own every WABA here (Meta's health_status names them). */
export const BUSINESS_ID = graphId('3', 'business');
export const APP_ID = graphId('4', 'app');

function graphId(lead: string, name: string): string {
  const hash = createHash('sha256').update(`switchboard:${name}`).digest();
  return `${lead}${((hash.readBigUInt64BE(0) >> 8n) % 10n ** 14n).toString().padStart(14, '0')}`;
}

/**
 * The facade's phone numbers are Switchboard sessions. A path's `{phone-number-id}` may be the
 * session's canonical phone number id (what the facade reports as `id`), its session id, mobile
 * number or mobid. A session the credential may not use does not exist, as on Graph.
 */
@Injectable()
export class CloudApiPhoneNumbersService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly resolver: SessionResolver,
    private readonly sessions: SessionsService,
  ) {}

  /** @throws GraphObjectNotFoundError (Graph 100/33) when missing, deleted or not the credential's */
  async resolve(principal: Principal, ref: string): Promise<SessionEntity> {
    const session = await this.resolver.findEntity(ref);
    const deleted = session?.status === SessionStatus.INACTIVE && session.lastError === 'DELETED';
    if (!session || deleted || !principal.canAccessSession(session.id, session.settings.workspace ?? null)) {
      throw new GraphObjectNotFoundError(ref);
    }
    return session;
  }

  /** `GET /{phone-number-id}[?fields=]`. @throws GraphObjectNotFoundError, GraphUnknownFieldError */
  async info(principal: Principal, ref: string, fields?: unknown): Promise<Record<string, unknown>> {
    const wanted = selectFields(fields, PHONE_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS, 'WhatsAppBusinessPhoneNumber');
    const session = await this.resolve(principal, ref);
    const live = this.registry.liveState(session.id);
    return phoneNumberNode(
      {
        id: session.id,
        phoneNumberId: session.phoneNumberId ?? phoneNumberIdOf(session.id),
        workspace: session.settings.workspace ?? null,
        name: session.name,
        pushName: session.pushName,
        mobileNumber: session.mobileNumber,
        status: live?.status ?? session.status,
        connectedAt: session.connectedAt,
      },
      wanted,
    );
  }

  /** Every session the credential may use (not deleted), newest first, as number sources. */
  async usable(principal: Principal): Promise<NumberSource[]> {
    const out: NumberSource[] = [];
    for (let page = 1; ; page++) {
      const { sessions } = await this.sessions.list(principal, { page, limit: 500 } as ListSessionsQueryDto);
      for (const s of sessions) if (!(s.status === SessionStatus.INACTIVE && s.health.lastError === 'DELETED')) out.push(sourceOf(s));
      if (sessions.length < 500) return out;
    }
  }

  /** The WABA ids the credential can see: one per workspace of a session it may use. */
  async wabaIds(principal: Principal): Promise<Map<string, string | null>> {
    const ids = new Map<string, string | null>();
    for (const s of await this.usable(principal)) ids.set(wabaIdOf(s.workspace), s.workspace);
    // A workspace-bound credential has its WABA even before its first session; an unbound one
    // always has the WABA of sessions without a workspace.
    if (principal.workspace !== null && !principal.sessionId) ids.set(wabaIdOf(principal.workspace), principal.workspace);
    if (!principal.isBound) ids.set(wabaIdOf(null), ids.get(wabaIdOf(null)) ?? null);
    return ids;
  }
}

function sourceOf(s: SessionDto): NumberSource {
  return {
    id: s.sessionId,
    phoneNumberId: s.phoneNumberId,
    workspace: (s.settings.workspace as string | null | undefined) ?? null,
    name: s.name,
    pushName: s.pushName,
    mobileNumber: s.mobile_number,
    status: s.status,
    connectedAt: s.health.connectedSince ? new Date(s.health.connectedSince) : null,
  };
}

/** One phone number node with the fields asked (see PHONE_NUMBER_FIELDS). */
export function phoneNumberNode(s: NumberSource, fields: readonly string[]): Record<string, unknown> {
  const ready = s.status === SessionStatus.READY;
  const parsed = s.mobileNumber ? parsePhoneNumberFromString(`+${s.mobileNumber}`) : undefined;
  const canSend = ready ? 'AVAILABLE' : 'BLOCKED';
  const wabaId = wabaIdOf(s.workspace);
  return pickFields(fields, {
    verified_name: () => s.pushName ?? s.name ?? s.mobileNumber ?? s.phoneNumberId,
    code_verification_status: () => (s.mobileNumber ? 'VERIFIED' : 'NOT_VERIFIED'),
    display_phone_number: () => displayNumber(s.mobileNumber),
    quality_rating: () => (ready ? 'GREEN' : 'UNKNOWN'),
    platform_type: () => 'CLOUD_API',
    throughput: () => ({ level: 'STANDARD' }),
    id: () => s.phoneNumberId,
    name_status: () => 'APPROVED',
    new_name_status: () => 'NONE',
    status: () => (ready ? 'CONNECTED' : s.status === SessionStatus.REGISTERING ? 'PENDING' : 'DISCONNECTED'),
    account_mode: () => 'LIVE',
    messaging_limit_tier: () => 'TIER_UNLIMITED',
    is_official_business_account: () => false,
    is_pin_enabled: () => false,
    is_preverified_number: () => false,
    last_onboarded_time: () => (s.connectedAt ? graphTime(s.connectedAt) : undefined),
    search_visibility: () => 'NON_VISIBLE',
    country_code: () => parsed?.country,
    country_dial_code: () => parsed?.countryCallingCode,
    conversational_automation: () => ({ enable_welcome_message: false, prompts: [], commands: [] }),
    health_status: () => ({
      can_send_message: canSend,
      entities: [
        {
          entity_type: 'PHONE_NUMBER',
          id: s.phoneNumberId,
          can_send_message: canSend,
          ...(ready
            ? {}
            : {
                errors: [
                  {
                    error_code: 133010,
                    error_description: 'Account not registered: the session is not linked and connected to WhatsApp.',
                    possible_solution: 'Link the session (scan its QR) or start it, then retry.',
                  },
                ],
              }),
        },
        { entity_type: 'WABA', id: wabaId, can_send_message: 'AVAILABLE' },
        { entity_type: 'BUSINESS', id: BUSINESS_ID, can_send_message: 'AVAILABLE' },
        { entity_type: 'APP', id: APP_ID, can_send_message: 'AVAILABLE' },
      ],
    }),
  });
}

/** `+1 555-010-0000`-style, as Graph shows numbers to people. */
export function displayNumber(digits: string | null): string {
  if (!digits) return '';
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed ? parsed.formatInternational() : `+${digits}`;
}

/** Graph's time format: `2023-08-22T19:05:48+0000`. */
export function graphTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+0000');
}
