import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { SessionRegistry } from '../sessions/session-registry';
import { EngineSendError } from '../whatsapp/engine/outgoing-message';
import type { OwnProfilePatch, WhatsAppEngine } from '../whatsapp/engine/whatsapp-engine.port';
import { CloudApiError, graphInvalidParam } from './cloud-api.errors';
import { CloudApiMediaService } from './cloud-api-media.service';
import { CloudApiPhoneNumbersService } from './cloud-api-phone-numbers.service';
import { pickFields, selectFields } from './graph-fields';
import { graphJson, str } from './graph-values';

const PROFILE_FIELDS = ['about', 'address', 'description', 'email', 'profile_picture_url', 'websites', 'vertical', 'messaging_product'];
/** Meta's business categories (`vertical`). */
const VERTICALS = new Set([
  'UNDEFINED', 'OTHER', 'AUTO', 'BEAUTY', 'APPAREL', 'EDU', 'ENTERTAIN', 'EVENT_PLAN', 'FINANCE', 'GROCERY', 'GOVT', 'HOTEL', 'HEALTH',
  'NONPROFIT', 'PROF_SERVICES', 'RETAIL', 'TRAVEL', 'RESTAURANT', 'NOT_A_BIZ', 'ALCOHOL', 'ONLINE_GAMBLING', 'PHYSICAL_GAMBLING', 'OTC_DRUGS',
  'MATRIMONY_SERVICE',
]);

/**
 * `GET|POST /{phone}/whatsapp_business_profile`, mapped onto what WhatsApp lets a linked device
 * see and change of its own account: the about (status) text and profile picture always; the
 * business profile (description, address, email, websites) on a WhatsApp Business account.
 * `vertical` is reported as `OTHER` for a business account and cannot be changed from a
 * linked device (accepted and left as it is).
 */
@Injectable()
export class CloudApiBusinessProfileService {
  constructor(
    private readonly numbers: CloudApiPhoneNumbersService,
    private readonly registry: SessionRegistry,
    private readonly media: CloudApiMediaService,
  ) {}

  /** @throws GraphObjectNotFoundError, GraphUnknownFieldError, CloudApiError 133010 (not connected) */
  async get(principal: Principal, ref: string, fields: unknown): Promise<{ data: Record<string, unknown>[] }> {
    const wanted = selectFields(fields, PROFILE_FIELDS, new Set([...PROFILE_FIELDS, 'id']), 'WhatsAppBusinessProfile').filter((f) => f !== 'id');
    if (!wanted.includes('messaging_product')) wanted.push('messaging_product');
    const engine = await this.engineOf(principal, ref);
    const profile = await this.run(() => engine.ownProfile());
    const b = profile.business;
    return {
      data: [
        pickFields(wanted, {
          about: () => profile.about ?? undefined,
          address: () => b?.address ?? undefined,
          description: () => b?.description ?? undefined,
          email: () => b?.email ?? undefined,
          profile_picture_url: () => profile.pictureUrl ?? undefined,
          websites: () => (b?.websites.length ? b.websites : undefined),
          vertical: () => (b ? 'OTHER' : undefined),
          messaging_product: () => 'whatsapp',
        }),
      ],
    };
  }

  /**
   * Meta's checks (`messaging_product`, lengths, at most two websites), then the changes.
   * @throws GraphObjectNotFoundError, CloudApiError 100 (invalid; business fields on a personal account), 133010
   */
  async update(principal: Principal, ref: string, body: Record<string, unknown>): Promise<{ success: true }> {
    if (body.messaging_product === undefined) throw graphInvalidParam('The parameter messaging_product is required.');
    if (body.messaging_product !== 'whatsapp') throw graphInvalidParam('Param messaging_product must be whatsapp.');
    const patch: OwnProfilePatch = {};
    const business: NonNullable<OwnProfilePatch['business']> = {};
    const text = (name: string, max: number, min = 0): string | undefined => {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string') throw graphInvalidParam(`Param ${name} must be a string.`);
      if (v.length < min || v.length > max) throw graphInvalidParam(`Param ${name} must be ${min ? `${min} to ` : 'at most '}${max} characters long.`);
      return v;
    };
    patch.about = text('about', 139, 1);
    if (patch.about === undefined) delete patch.about;
    const address = text('address', 256);
    const description = text('description', 512);
    const email = text('email', 128);
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw graphInvalidParam('Param email must be a valid email address.');
    if (address !== undefined) business.address = address;
    if (description !== undefined) business.description = description;
    if (email !== undefined) business.email = email;
    const websites = graphJson(body.websites);
    if (websites !== undefined && websites !== null) {
      if (!Array.isArray(websites) || websites.length > 2 || websites.some((w) => typeof w !== 'string' || w.length > 256 || !/^https?:\/\//i.test(w))) {
        throw graphInvalidParam('Param websites must be a list of at most 2 http(s) URLs of at most 256 characters.');
      }
      business.websites = websites as string[];
    }
    const vertical = str(body.vertical);
    if (vertical !== undefined && !VERTICALS.has(vertical)) throw graphInvalidParam(`Param vertical must be one of ${[...VERTICALS].join(', ')}.`);
    const handle = str(body.profile_picture_handle);
    const engine = await this.engineOf(principal, ref);
    if (handle !== undefined) patch.picture = await this.media.imageBytes(principal, handle);
    if (Object.keys(business).length) {
      const current = await this.run(() => engine.ownProfile());
      if (!current.business) {
        throw graphInvalidParam(
          `${Object.keys(business).join(', ')} can be set on a WhatsApp Business account only; this number is a personal WhatsApp account (about and profile_picture_handle work on both).`,
        );
      }
      patch.business = business;
    }
    await this.run(() => engine.updateOwnProfile(patch));
    return { success: true };
  }

  private async engineOf(principal: Principal, ref: string): Promise<WhatsAppEngine> {
    const session = await this.numbers.resolve(principal, ref);
    const engine = this.registry.readyEngine(session.id);
    if (!engine) throw new CloudApiError(133010, 'The session is not connected to WhatsApp: link it or start it (POST /{phone-number-id}/register), then retry.');
    return engine;
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof EngineSendError) throw new CloudApiError(err.code === 'SESSION_NOT_READY' ? 133010 : 131000, err.message, { cause: err });
      throw err;
    }
  }
}
