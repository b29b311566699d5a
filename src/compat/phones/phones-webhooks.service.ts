import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { KeyedMutex } from '../../common/utils/keyed-mutex';
import type { WebhookDto } from '../../webhooks/dto/webhook.dto';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-events';
import { WebhooksService } from '../../webhooks/webhooks.service';
import { CompatPhoneWebhookEntity } from './entities/compat-phone-webhook.entity';

/** The services a phones webhook may name: the native event types, by the same names. */
export const PHONES_WEBHOOK_SERVICES: readonly string[] = WEBHOOK_EVENT_TYPES;

export interface PhonesWebhook {
  id: string;
  url: string;
  services: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
  /** Only when created: signs every delivery (X-Switchboard-Signature). */
  secret?: string;
}

/**
 * The phones manager's webhooks: native webhooks (WebhooksService: durable, signed, retried
 * deliveries) whose `services` are native event types, at most one webhook per service among
 * those created through this API.
 */
@Injectable()
export class PhonesWebhooksService {
  /** Serializes the "one webhook per service" check with its write, in this process. */
  private readonly mutex = new KeyedMutex();

  constructor(
    @InjectRepository(CompatPhoneWebhookEntity) private readonly own: Repository<CompatPhoneWebhookEntity>,
    private readonly webhooks: WebhooksService,
  ) {}

  async list(principal: Principal): Promise<PhonesWebhook[]> {
    const rows = await this.own.find({ order: { createdAt: 'ASC' } });
    const out: PhonesWebhook[] = [];
    for (const row of rows) {
      const webhook = await this.webhooks.get(principal, row.webhookId).catch((err: AppError) => {
        if (err.code === ErrorCode.WEBHOOK_NOT_FOUND) return null;
        throw err;
      });
      if (webhook) out.push(toPhonesWebhook(webhook));
    }
    return out;
  }

  /** @throws AppError VALIDATION_FAILED (unknown service, bad URL), WEBHOOK_SERVICE_TAKEN (409) */
  create(principal: Principal, url: string, services: string[]): Promise<PhonesWebhook> {
    const wanted = checkServices(services);
    return this.mutex.run('webhooks', async () => {
      await this.assertFree(principal, wanted, null);
      const created = await this.webhooks.create(principal, { url, services: wanted, description: 'phones manager API' });
      await this.own.insert({ webhookId: created.id });
      return toPhonesWebhook(created);
    });
  }

  /** @throws AppError WEBHOOK_NOT_FOUND (404), VALIDATION_FAILED, WEBHOOK_SERVICE_TAKEN (409) */
  update(principal: Principal, id: string, patch: { url?: string; services?: string[] }): Promise<PhonesWebhook> {
    const wanted = patch.services ? checkServices(patch.services) : undefined;
    return this.mutex.run('webhooks', async () => {
      await this.assertOwn(id);
      if (wanted) await this.assertFree(principal, wanted, id);
      return toPhonesWebhook(await this.webhooks.update(principal, id, { url: patch.url, services: wanted }));
    });
  }

  /** @throws AppError WEBHOOK_NOT_FOUND (404) */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.assertOwn(id);
    await this.webhooks.remove(principal, id);
    await this.own.delete({ webhookId: id });
  }

  private async assertOwn(id: string): Promise<void> {
    const known = /^[0-9a-f-]{36}$/i.test(id) && (await this.own.existsBy({ webhookId: id }));
    if (!known) throw new AppError(ErrorCode.WEBHOOK_NOT_FOUND, `Webhook '${id}' was not found`, { webhookId: id });
  }

  private async assertFree(principal: Principal, services: string[], except: string | null): Promise<void> {
    for (const webhook of await this.list(principal)) {
      if (webhook.id === except) continue;
      const taken = services.filter((s) => webhook.services.includes(s));
      if (taken.length) {
        throw new AppError(
          ErrorCode.WEBHOOK_SERVICE_TAKEN,
          `Webhook ${webhook.id} already covers ${taken.join(', ')}; replace it with PUT /api/v1/user/webhooks/${webhook.id} or delete it first`,
          { webhookId: webhook.id, services: taken },
        );
      }
    }
  }
}

function checkServices(services: string[]): string[] {
  const unknown = services.filter((s) => !PHONES_WEBHOOK_SERVICES.includes(s));
  if (unknown.length) {
    const message = `Unknown service ${unknown.join(', ')}; supported: ${PHONES_WEBHOOK_SERVICES.join(', ')}`;
    throw new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field: 'services', messages: [message] }] });
  }
  return [...new Set(services)];
}

function toPhonesWebhook(w: WebhookDto): PhonesWebhook {
  return {
    id: w.id,
    url: w.url,
    services: w.events,
    active: w.active,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    ...(w.secret ? { secret: w.secret } : {}),
  };
}
