import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { SessionAccess } from '../sessions/session-access';
import { SessionRegistry } from '../sessions/session-registry';

export interface Overview {
  sessions: { total: number; live: number; byStatus: Record<string, number> };
  messages: {
    last24h: { outbound: Record<string, number>; inbound: number };
    hourly: { hour: string; outbound: number; inbound: number; failed: number }[];
    queued: number;
  };
  webhooks: { total: number; active: number; pending: number; failedLast24h: number; deliveredLast24h: number; oldestPendingAt: string | null };
}

/** The connections manager's dashboard figures in one call: sessions by status, message flow, webhook health. */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: SessionRegistry,
    private readonly access: SessionAccess,
  ) {}

  async overview(principal: Principal): Promise<Overview> {
    // Bound tokens see the figures of their own session or workspace only (null: all sessions).
    const visible = await this.access.visibleSessionIds(principal);
    const scope = `($1::text[] IS NULL OR s.id = ANY($1))`;
    const args = [visible];
    const [sessions, outbound, inbound, hourly, queued, webhooks] = await Promise.all([
      this.db.query(`SELECT s.status, count(*)::int AS n FROM session s WHERE ${scope} GROUP BY s.status`, args),
      this.db.query(
        `SELECT m.status, count(*)::int AS n FROM message m JOIN session s ON s.id = m.session_id
          WHERE ${scope} AND m.direction = 'outbound' AND m.created_at > now() - interval '24 hours' GROUP BY m.status`,
        args,
      ),
      this.db.query(
        `SELECT count(*)::int AS n FROM message m JOIN session s ON s.id = m.session_id
          WHERE ${scope} AND m.direction = 'inbound' AND m.created_at > now() - interval '24 hours'`,
        args,
      ),
      this.db.query(
        `SELECT to_char(date_trunc('hour', m.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"') AS hour,
                count(*) FILTER (WHERE m.direction = 'outbound')::int AS outbound,
                count(*) FILTER (WHERE m.direction = 'inbound')::int AS inbound,
                count(*) FILTER (WHERE m.status = 'FAILED')::int AS failed
           FROM message m JOIN session s ON s.id = m.session_id
          WHERE ${scope} AND m.created_at > now() - interval '24 hours' GROUP BY 1 ORDER BY 1`,
        args,
      ),
      this.db.query(
        `SELECT count(*)::int AS n FROM message m JOIN session s ON s.id = m.session_id WHERE ${scope} AND m.status IN ('QUEUED', 'SENDING')`,
        args,
      ),
      this.db.query(
        `SELECT count(DISTINCT w.id)::int AS total,
                count(DISTINCT w.id) FILTER (WHERE w.active)::int AS active,
                count(d.id) FILTER (WHERE d.status = 'PENDING')::int AS pending,
                count(d.id) FILTER (WHERE d.status = 'FAILED' AND d.created_at > now() - interval '24 hours')::int AS failed,
                count(d.id) FILTER (WHERE d.status = 'DELIVERED' AND d.delivered_at > now() - interval '24 hours')::int AS delivered,
                min(d.created_at) FILTER (WHERE d.status = 'PENDING') AS oldest
           FROM webhook w LEFT JOIN webhook_delivery d ON d.webhook_id = w.id
          WHERE ($1::text[] IS NULL OR w.session_id = ANY($1))`,
        args,
      ),
    ]);
    const byStatus = Object.fromEntries((sessions as { status: string; n: number }[]).map((r) => [r.status, r.n]));
    const w = webhooks[0];
    return {
      sessions: {
        total: Object.values(byStatus).reduce((a, n) => a + n, 0),
        live: visible ? visible.filter((id) => this.registry.liveState(id)).length : this.registry.liveCount(),
        byStatus,
      },
      messages: {
        last24h: { outbound: Object.fromEntries((outbound as { status: string; n: number }[]).map((r) => [r.status, r.n])), inbound: inbound[0].n },
        hourly,
        queued: queued[0].n,
      },
      webhooks: {
        total: w.total,
        active: w.active,
        pending: w.pending,
        failedLast24h: w.failed,
        deliveredLast24h: w.delivered,
        oldestPendingAt: w.oldest ? new Date(w.oldest).toISOString() : null,
      },
    };
  }
}
