import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CredentialVerifier } from '../auth/credential-verifier.service';
import type { Principal } from '../auth/principal';
import { looksLikeJwt } from '../auth/credentials';
import { TokensService } from '../auth/tokens.service';
import { isGraphAccountId, wabaIdOf } from '../common/utils/graph-ids';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionStatus } from '../sessions/session-status';
import { SessionsService } from '../sessions/sessions.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { GraphObjectNotFoundError, graphInvalidParam } from './cloud-api.errors';
import { APP_ID, CloudApiPhoneNumbersService, PHONE_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS, phoneNumberNode, type NumberSource } from './cloud-api-phone-numbers.service';
import { graphPage, pickFields, selectFields, type GraphPage, type PageRequest } from './graph-fields';
import { str } from './graph-values';

/** What Graph returns for a WhatsApp Business Account without `fields`. */
const WABA_DEFAULT_FIELDS = ['id', 'name', 'currency', 'timezone_id', 'message_template_namespace'];
/** The WhatsApp Business Account node's fields (Meta's reference); unfilled ones are left out. */
const WABA_FIELDS: ReadonlySet<string> = new Set([
  ...WABA_DEFAULT_FIELDS,
  'account_review_status',
  'analytics',
  'auth_international_rate_eligibility',
  'business_verification_status',
  'country',
  'health_status',
  'is_enabled_for_insights',
  'is_shared_with_partners',
  'marketing_messages_lite_api_status',
  'on_behalf_of_business_info',
  'owner_business_info',
  'ownership_type',
  'primary_business_location',
  'primary_funding_id',
  'purchase_order_number',
  'status',
]);

/** The name Switchboard gives itself where Graph names an app. */
const APP_NAME = 'Switchboard';
/** Marks the webhooks `POST /{waba}/subscribed_apps` registered (one per session of the WABA). */
const SUBSCRIBED_MARK = 'Cloud API subscribed_apps for WABA ';

/** The Graph user id of a credential in `debug_token` and `/me`: stable per token. */
function userIdOf(principal: Principal): string {
  const hash = createHash('sha256').update(`switchboard:user:${principal.tokenId ?? principal.kind}`).digest();
  return `5${((hash.readBigUInt64BE(0) >> 8n) % 10n ** 14n).toString().padStart(14, '0')}`;
}

/** A stable, Meta-looking template namespace per WABA (`c8ae5f90_307a_ca4c_b8f6_d1e2a2573574`). */
function templateNamespaceOf(wabaId: string): string {
  const h = createHash('sha256').update(`switchboard:namespace:${wabaId}`).digest('hex');
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 32)].join('_');
}

/**
 * The Cloud API's account side: WhatsApp Business Accounts (one per workspace; sessions without
 * a workspace share one), their phone numbers and subscribed apps (Cloud API-format webhooks),
 * phone number registration, and Graph's token inspection.
 */
@Injectable()
export class CloudApiAccountService {
  constructor(
    private readonly numbers: CloudApiPhoneNumbersService,
    private readonly sessions: SessionsService,
    private readonly registry: SessionRegistry,
    private readonly webhooks: WebhooksService,
    private readonly tokens: TokensService,
    private readonly verifier: CredentialVerifier,
  ) {}

  /** The workspace behind a WABA id the credential can see. @throws GraphObjectNotFoundError */
  async workspaceOf(principal: Principal, wabaId: string): Promise<string | null> {
    const found = isGraphAccountId(wabaId) ? (await this.numbers.wabaIds(principal)).get(wabaId) : undefined;
    if (found === undefined) throw new GraphObjectNotFoundError(wabaId);
    return found;
  }

  /** Whether `id` is a WABA id the credential can see (the `GET /{id}` dispatch). */
  async isWaba(principal: Principal, id: string): Promise<boolean> {
    return /^2\d{14}$/.test(id) && (await this.numbers.wabaIds(principal)).has(id);
  }

  /** `GET /{waba-id}[?fields=]`. @throws GraphObjectNotFoundError, GraphUnknownFieldError */
  async waba(principal: Principal, wabaId: string, fields?: unknown): Promise<Record<string, unknown>> {
    const wanted = selectFields(fields, WABA_DEFAULT_FIELDS, WABA_FIELDS, 'WhatsAppBusinessAccount');
    const workspace = await this.workspaceOf(principal, wabaId);
    return pickFields(wanted, {
      id: () => wabaId,
      name: () => workspace ?? APP_NAME,
      currency: () => 'USD',
      timezone_id: () => '0',
      message_template_namespace: () => templateNamespaceOf(wabaId),
      account_review_status: () => 'APPROVED',
      business_verification_status: () => 'not_verified',
      ownership_type: () => 'SELF',
      status: () => 'ACTIVE',
      is_enabled_for_insights: () => false,
      health_status: () => ({ can_send_message: 'AVAILABLE', entities: [{ entity_type: 'WABA', id: wabaId, can_send_message: 'AVAILABLE' }] }),
    });
  }

  /** `GET /{waba-id}/phone_numbers`: that workspace's sessions the credential may use, newest first, paged. */
  async phoneNumbers(principal: Principal, wabaId: string, fields: unknown, page: PageRequest, url: URL): Promise<GraphPage<Record<string, unknown>>> {
    const wanted = selectFields(fields, PHONE_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS, 'WhatsAppBusinessPhoneNumber');
    const sources = await this.sourcesIn(principal, wabaId);
    const paged = graphPage(sources, (s) => s.phoneNumberId, page, url);
    return { data: paged.data.map((s) => phoneNumberNode(s, wanted)), paging: paged.paging };
  }

  /**
   * The number sources of a WABA. An id that is not WABA-shaped keeps the facade's earlier
   * behaviour (every number the credential may use: a token sees one account).
   */
  private async sourcesIn(principal: Principal, wabaId: string): Promise<NumberSource[]> {
    const usable = await this.numbers.usable(principal);
    if (!/^2\d{14}$/.test(wabaId)) return usable;
    const workspace = await this.workspaceOf(principal, wabaId);
    return usable.filter((s) => s.workspace === workspace);
  }

  // ------------------------------------------------------------ subscribed apps

  /** `GET /{waba-id}/subscribed_apps`: Switchboard as the one app, with the callback its webhooks use. */
  async subscribedApps(principal: Principal, wabaId: string, link: string): Promise<{ data: Record<string, unknown>[] }> {
    const hooks = await this.subscriptions(principal, wabaId);
    if (!hooks.length) return { data: [] };
    const app = { whatsapp_business_api_data: { id: APP_ID, link, name: APP_NAME } };
    const urls = [...new Set(hooks.map((h) => h.url))];
    return { data: urls.map((url) => ({ ...app, override_callback_uri: url })) };
  }

  /**
   * `POST /{waba-id}/subscribed_apps`: with `override_callback_uri` and `verify_token`, a
   * Cloud API-format webhook to that URL for each session of the WABA, after Meta's handshake
   * (`hub.challenge`) succeeds; replaces the ones registered before. Without a callback it
   * keeps what is registered (Switchboard has no app-level callback to fall back on).
   * `app_secret` (a Switchboard extension) signs `X-Hub-Signature-256` as Meta's app secret does.
   * @throws GraphObjectNotFoundError, CloudApiError 100, AppError WEBHOOK_VERIFICATION_FAILED
   */
  async subscribe(principal: Principal, wabaId: string, body: Record<string, unknown>): Promise<{ success: true }> {
    const existing = await this.subscriptions(principal, wabaId);
    const callback = str(body.override_callback_uri);
    const verifyToken = str(body.verify_token);
    const appSecret = str(body.app_secret);
    if (!callback) {
      if (existing.length) return { success: true };
      throw graphInvalidParam('The parameter override_callback_uri is required: Switchboard has no app-level callback URL.');
    }
    if (!verifyToken) throw graphInvalidParam('The parameter verify_token is required with override_callback_uri.');
    if (appSecret !== undefined && (appSecret.length < 16 || appSecret.length > 256)) {
      throw graphInvalidParam('The parameter app_secret must be 16 to 256 characters long.');
    }
    const sessions = await this.sourcesIn(principal, wabaId);
    for (const s of sessions) {
      await this.webhooks.create(principal, {
        url: callback,
        sessionId: s.id,
        format: 'cloud-api',
        verifyToken,
        ...(appSecret ? { secret: appSecret } : {}),
        events: ['message.received', 'message.status'],
        description: `${SUBSCRIBED_MARK}${wabaId}`,
      });
    }
    for (const old of existing) await this.webhooks.remove(principal, old.id);
    return { success: true };
  }

  /** `DELETE /{waba-id}/subscribed_apps`: removes the webhooks it registered. */
  async unsubscribe(principal: Principal, wabaId: string): Promise<{ success: true }> {
    for (const hook of await this.subscriptions(principal, wabaId)) await this.webhooks.remove(principal, hook.id);
    return { success: true };
  }

  private async subscriptions(principal: Principal, wabaId: string): Promise<{ id: string; url: string }[]> {
    await this.workspaceOf(principal, wabaId);
    const all = await this.webhooks.list(principal, {});
    return all.filter((w) => w.format === 'cloud-api' && w.description === `${SUBSCRIBED_MARK}${wabaId}`);
  }

  // ------------------------------------------------------------ registration

  /**
   * `POST /{phone}/register`: Meta's checks (`messaging_product`, a 6-digit `pin`), then the
   * session is started (a stopped one connects again with its stored credentials).
   * @throws GraphObjectNotFoundError, CloudApiError 100
   */
  async register(principal: Principal, ref: string, body: Record<string, unknown>): Promise<{ success: true }> {
    const session = await this.numbers.resolve(principal, ref);
    assertMessagingProduct(body);
    const pin = str(body.pin);
    if (pin === undefined) throw graphInvalidParam('The parameter pin is required.');
    if (!/^\d{6}$/.test(pin)) throw graphInvalidParam('Param pin must be 6 characters long.');
    if (this.registry.liveState(session.id)?.status !== SessionStatus.READY) await this.sessions.apply(session, 'start');
    return { success: true };
  }

  /** `POST /{phone}/deregister`: stops the session; it stays linked (never logs out). */
  async deregister(principal: Principal, ref: string, body: Record<string, unknown>): Promise<{ success: true }> {
    const session = await this.numbers.resolve(principal, ref);
    if (body.messaging_product !== undefined) assertMessagingProduct(body);
    await this.sessions.apply(session, 'stop');
    return { success: true };
  }

  // ------------------------------------------------------------ tokens

  /**
   * `GET /debug_token?input_token=`: what Graph says of a token, for any Switchboard credential
   * (API_KEY, API tokens bound or not, login JWTs). An unknown, revoked or expired one is
   * `is_valid: false` with Graph's error inside `data`.
   */
  async debugToken(inputToken: unknown): Promise<{ data: Record<string, unknown> }> {
    if (typeof inputToken !== 'string' || !inputToken.trim()) throw graphInvalidParam('The parameter input_token is required.');
    const principal = await this.verifier.authenticate(inputToken.trim());
    if (!principal) {
      return { data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] } };
    }
    const wabas = [...(await this.numbers.wabaIds(principal)).keys()];
    const expiresAt = await this.expiryOf(principal, inputToken.trim());
    const scopes = ['whatsapp_business_management', 'whatsapp_business_messaging'];
    return {
      data: {
        app_id: APP_ID,
        type: principal.kind === 'jwt' ? 'USER' : 'SYSTEM_USER',
        application: APP_NAME,
        data_access_expires_at: 0,
        expires_at: expiresAt,
        is_valid: true,
        scopes,
        granular_scopes: scopes.map((scope) => ({ scope, target_ids: wabas })),
        user_id: userIdOf(principal),
      },
    };
  }

  /** `GET /me`: the credential as a Graph user. */
  me(principal: Principal, fields?: unknown): Record<string, unknown> {
    const wanted = selectFields(fields, ['name', 'id'], new Set(['id', 'name']), 'User');
    return pickFields(wanted, { name: () => (principal.isAdmin ? `${APP_NAME} admin` : `${APP_NAME} API token`), id: () => userIdOf(principal) });
  }

  /** Unix seconds, 0 for never (the API_KEY, tokens without expiry). */
  private async expiryOf(principal: Principal, credential: string): Promise<number> {
    if (principal.kind === 'jwt' || looksLikeJwt(credential)) {
      try {
        const payload = JSON.parse(Buffer.from(credential.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown };
        if (typeof payload.exp === 'number') return payload.exp;
      } catch {
        /* not a JWT after all */
      }
    }
    if (principal.tokenId) {
      const at = await this.tokens.expiresAtOf(principal.tokenId);
      if (at) return Math.floor(at.getTime() / 1000);
    }
    return 0;
  }
}

function assertMessagingProduct(body: Record<string, unknown>): void {
  if (body.messaging_product === undefined) throw graphInvalidParam('The parameter messaging_product is required.');
  if (body.messaging_product !== 'whatsapp') throw graphInvalidParam('Param messaging_product must be whatsapp.');
}
