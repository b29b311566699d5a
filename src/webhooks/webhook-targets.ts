import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { UrlGuard } from '../common/net/url-guard';
import { AppConfig } from '../config/app-config';
import { WebhookTransport } from './webhook-http';

/**
 * Which addresses a webhook may be delivered to. Webhooks whose URL was set by an unbound
 * (admin) credential may reach private and loopback receivers (self-hosters run them next
 * door); those set by a session- or workspace-bound token (`restricted`) only public
 * addresses. Link-local addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254: cloud metadata)
 * are refused for both. WEBHOOK_URL_ALLOWLIST lifts either restriction for its entries.
 */
@Injectable()
export class WebhookTargets implements OnApplicationShutdown {
  private readonly unrestricted: WebhookTransport;
  private readonly restricted: WebhookTransport;

  constructor(config: AppConfig) {
    const allowlist = config.webhooks.urlAllowlist;
    this.unrestricted = new WebhookTransport(new UrlGuard(allowlist, 'no-metadata'));
    this.restricted = new WebhookTransport(new UrlGuard(allowlist, 'public'));
  }

  transport(restricted: boolean): WebhookTransport {
    return restricted ? this.restricted : this.unrestricted;
  }

  /**
   * At creation: a URL whose host is a literal IP the webhook may never reach is refused.
   * Hostnames are judged at delivery, on the address the connection goes to.
   * @throws AppError WEBHOOK_URL_FORBIDDEN
   */
  assertAllowed(url: string, restricted: boolean): void {
    if (this.transport(restricted).guard.allowsLiteral(new URL(url))) return;
    const message = restricted
      ? 'url points to a private, loopback or link-local address, which a session- or workspace-bound token may not target (see WEBHOOK_URL_ALLOWLIST)'
      : 'url points to a link-local (cloud metadata) address (see WEBHOOK_URL_ALLOWLIST)';
    throw new AppError(ErrorCode.WEBHOOK_URL_FORBIDDEN, message, { fields: [{ field: 'url', messages: [message] }] });
  }

  onApplicationShutdown(): void {
    this.unrestricted.destroy();
    this.restricted.destroy();
  }
}
