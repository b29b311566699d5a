import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { MessagesService, type MessageFlowFigures } from '../messages/messages.service';
import { SessionAccess } from '../sessions/session-access';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionsService } from '../sessions/sessions.service';
import { WebhooksService, type WebhookHealthSummary } from '../webhooks/webhooks.service';

export interface Overview {
  sessions: { total: number; live: number; byStatus: Record<string, number> };
  messages: MessageFlowFigures;
  webhooks: WebhookHealthSummary;
}

/**
 * The connections manager's dashboard figures in one call: sessions by status, message flow,
 * webhook health. Owns no table: each figure is a read query of the module that owns it.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly access: SessionAccess,
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
    private readonly webhooks: WebhooksService,
  ) {}

  async overview(principal: Principal): Promise<Overview> {
    // Bound tokens see the figures of their own session or workspace only (null: all sessions).
    const visible = await this.access.visibleSessionIds(principal);
    const [byStatus, messages, webhooks] = await Promise.all([
      this.sessions.statusCounts(visible),
      this.messages.flowFigures(visible),
      this.webhooks.healthSummary(visible),
    ]);
    return {
      sessions: {
        total: Object.values(byStatus).reduce((a, n) => a + n, 0),
        live: visible ? visible.filter((id) => this.registry.liveState(id)).length : this.registry.liveCount(),
        byStatus,
      },
      messages,
      webhooks,
    };
  }
}
