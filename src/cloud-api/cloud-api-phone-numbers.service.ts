import { Injectable } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Principal } from '../auth/principal';
import type { ListSessionsQueryDto } from '../sessions/dto/session.dto';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionResolver } from '../sessions/session-resolver';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { GraphObjectNotFoundError, GraphUnknownFieldError } from './cloud-api.errors';

/** What Graph returns for a phone number without `fields`. */
const DEFAULT_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'id'];
const FIELDS = new Set([
  ...DEFAULT_FIELDS,
  'name_status',
  'new_name_status',
  'status',
  'account_mode',
  'messaging_limit_tier',
  'is_official_business_account',
  'is_pin_enabled',
  'last_onboarded_time',
]);

/** The parts of a session a phone-number node is built from. */
interface NumberSource {
  id: string;
  name: string | null;
  pushName: string | null;
  mobileNumber: string | null;
  status: SessionStatus;
  connectedAt: Date | null;
}

/**
 * The facade's phone numbers are Switchboard sessions. A path's `{phone-number-id}` may be a
 * session id, its mobile number or its mobid (the session-manager contract); the id Switchboard reports is the
 * session id. A session the credential may not use does not exist, as on Graph.
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

  async info(principal: Principal, ref: string, fields?: string): Promise<Record<string, unknown>> {
    const session = await this.resolve(principal, ref);
    const live = this.registry.liveState(session.id);
    return phoneNumberNode({ ...session, status: live?.status ?? session.status }, parseFields(fields));
  }

  /** Every session the credential may use, as Graph's `{data, paging}` list. */
  async list(principal: Principal, fields?: string): Promise<{ data: Record<string, unknown>[]; paging: { cursors: { before: string; after: string } } }> {
    const wanted = parseFields(fields);
    const { sessions } = await this.sessions.list(principal, { limit: 500 } as ListSessionsQueryDto);
    const data = sessions
      .filter((s) => !(s.status === SessionStatus.INACTIVE && s.health.lastError === 'DELETED'))
      .map((s) =>
        phoneNumberNode(
          {
            id: s.sessionId,
            name: s.name,
            pushName: s.pushName,
            mobileNumber: s.mobile_number,
            status: s.status,
            connectedAt: s.health.connectedSince ? new Date(s.health.connectedSince) : null,
          },
          wanted,
        ),
      );
    const cursor = (id: unknown) => Buffer.from(String(id ?? '')).toString('base64');
    return { data, paging: { cursors: { before: cursor(data[0]?.id), after: cursor(data[data.length - 1]?.id) } } };
  }
}

function parseFields(fields: string | undefined): string[] {
  if (!fields) return DEFAULT_FIELDS;
  const wanted = fields.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of wanted) if (!FIELDS.has(f)) throw new GraphUnknownFieldError(f, 'WhatsAppBusinessPhoneNumber');
  // Graph always adds the id.
  return wanted.includes('id') ? wanted : [...wanted, 'id'];
}

function phoneNumberNode(s: NumberSource, fields: string[]): Record<string, unknown> {
  const ready = s.status === SessionStatus.READY;
  const values: Record<string, () => unknown> = {
    verified_name: () => s.pushName ?? s.name ?? s.mobileNumber ?? s.id,
    code_verification_status: () => (s.mobileNumber ? 'VERIFIED' : 'NOT_VERIFIED'),
    display_phone_number: () => displayNumber(s.mobileNumber),
    quality_rating: () => (ready ? 'GREEN' : 'UNKNOWN'),
    platform_type: () => 'CLOUD_API',
    throughput: () => ({ level: 'STANDARD' }),
    id: () => s.id,
    name_status: () => 'APPROVED',
    new_name_status: () => 'NONE',
    status: () => (ready ? 'CONNECTED' : s.status === SessionStatus.REGISTERING ? 'PENDING' : 'DISCONNECTED'),
    account_mode: () => 'LIVE',
    messaging_limit_tier: () => 'TIER_UNLIMITED',
    is_official_business_account: () => false,
    is_pin_enabled: () => false,
    last_onboarded_time: () => (s.connectedAt ? graphTime(s.connectedAt) : undefined),
  };
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f]();
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** `+1 555-010-0000`-style, as Graph shows numbers to people. */
export function displayNumber(digits: string | null): string {
  if (!digits) return '';
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed ? parsed.formatInternational() : `+${digits}`;
}

/** Graph's time format: `2023-08-22T19:05:48+0000`. */
function graphTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+0000');
}
