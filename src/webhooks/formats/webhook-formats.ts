import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { NativeWebhookFormatter } from './native.formatter';
import type { WebhookFormatter } from './webhook-formatter';

/** Every format a subscription may name; only registered ones can be used. */
export const WEBHOOK_FORMATS = ['native', 'cloud-api'] as const;

/**
 * The formats this server can deliver, by name. `native` is built in; other modules add
 * theirs with `register()` before the application starts listening.
 */
@Injectable()
export class WebhookFormats {
  private readonly formats = new Map<string, WebhookFormatter>();

  constructor() {
    this.register(new NativeWebhookFormatter());
  }

  register(formatter: WebhookFormatter): void {
    this.formats.set(formatter.name, formatter);
  }

  find(name: string): WebhookFormatter | null {
    return this.formats.get(name) ?? null;
  }

  /** @throws AppError VALIDATION_FAILED when the format is not available on this server */
  get(name: string): WebhookFormatter {
    const formatter = this.find(name);
    if (!formatter) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Webhook format "${name}" is not available on this server`, {
        fields: [{ field: 'format', messages: [`format must be one of: ${[...this.formats.keys()].join(', ')}`] }],
      });
    }
    return formatter;
  }
}
