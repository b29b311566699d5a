import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../database/sql';
import { LeaseConnection } from './lease-connection';

/** A lease this node holds: the session and the fencing token of its acquisition. */
export interface HeldLease {
  sessionId: string;
  token: string;
}

export interface ClaimedLease extends HeldLease {
  /** The node that held it before (expired or released), or null: a takeover when it is another node. */
  previousOwner: string | null;
}

export interface NodeRow {
  id: string;
  host: string;
  startedAt: Date;
  lastSeen: Date;
  stoppedAt: Date | null;
  alive: boolean;
  sessionCount: number;
}

export interface LeaseRow {
  sessionId: string;
  /** The owner while the lease is unexpired, else null. */
  owner: string | null;
  expiresAt: Date;
  token: string;
}

/**
 * The SQL of `cluster_node` and `session_lease`. Leases are rows, claimed with
 * `FOR UPDATE SKIP LOCKED` (two nodes claiming at once get disjoint sessions), renewed by their
 * owner with the token it acquired them under, and released by setting `expires_at = now()`.
 * Every time comparison uses the database clock (`now()`), never a replica's.
 */
@Injectable()
export class LeaseRepository implements OnApplicationShutdown {
  /** Heartbeats and renewals run here, on a connection of their own (see LeaseConnection). */
  private readonly renewals: LeaseConnection;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.renewals = new LeaseConnection(db);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.renewals.close();
  }

  // ---------------------------------------------------------------- nodes

  /** Records this process as the node `id` (a later process with the same id takes the row over). */
  async registerNode(id: string, host: string, incarnation: string, url: string | null = null): Promise<void> {
    await this.db.query(
      `INSERT INTO cluster_node (id, host, incarnation, started_at, last_seen, stopped_at, url) VALUES ($1, $2, $3, now(), now(), NULL, $4)
       ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, incarnation = EXCLUDED.incarnation, started_at = now(), last_seen = now(), stopped_at = NULL,
         url = EXCLUDED.url`,
      [id, host, incarnation, url],
    );
    // Nodes gone for a day are history nobody needs.
    await this.db.query(`DELETE FROM cluster_node WHERE last_seen < now() - interval '1 day'`);
  }

  /** The heartbeat; false when another process now runs under this node id. */
  async heartbeat(id: string, incarnation: string): Promise<boolean> {
    const rows = await this.renewals.query(`UPDATE cluster_node SET last_seen = now() WHERE id = $1 AND incarnation = $2 RETURNING id`, [id, incarnation]);
    return rows.length > 0;
  }

  async stopNode(id: string, incarnation: string): Promise<void> {
    await this.db.query(`UPDATE cluster_node SET last_seen = now(), stopped_at = now() WHERE id = $1 AND incarnation = $2`, [id, incarnation]);
  }

  /** Nodes that renewed within `ttlMs` and did not stop (at least this one while it runs). */
  async liveNodeCount(ttlMs: number): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM cluster_node WHERE stopped_at IS NULL AND last_seen > now() - $1 * interval '1 millisecond'`,
      [ttlMs],
    );
    return row.n;
  }

  /**
   * The node holding the session's unexpired lease, with the URL it advertised, or null when
   * nobody holds it.
   */
  async ownerWithUrl(sessionId: string): Promise<{ node: string; url: string | null } | null> {
    const [row]: { owner: string; url: string | null }[] = await this.db.query(
      `SELECT l.owner, n.url FROM session_lease l LEFT JOIN cluster_node n ON n.id = l.owner
        WHERE l.session_id = $1 AND l.owner IS NOT NULL AND l.expires_at > now()`,
      [sessionId],
    );
    return row ? { node: row.owner, url: row.url } : null;
  }

  /** Every known node with whether it is alive and how many unexpired leases it holds. */
  async nodes(ttlMs: number): Promise<NodeRow[]> {
    const rows: { id: string; host: string; started_at: Date; last_seen: Date; stopped_at: Date | null; alive: boolean; n: number }[] = await this.db.query(
      `SELECT n.id, n.host, n.started_at, n.last_seen, n.stopped_at,
              (n.stopped_at IS NULL AND n.last_seen > now() - $1 * interval '1 millisecond') AS alive,
              (SELECT count(*)::int FROM session_lease l WHERE l.owner = n.id AND l.expires_at > now()) AS n
         FROM cluster_node n ORDER BY n.started_at, n.id`,
      [ttlMs],
    );
    return rows.map((r) => ({ id: r.id, host: r.host, startedAt: r.started_at, lastSeen: r.last_seen, stoppedAt: r.stopped_at, alive: r.alive, sessionCount: r.n }));
  }

  // ---------------------------------------------------------------- leases

  /**
   * Claims up to `limit` of `sessionIds` that nobody holds (never leased, released or expired)
   * for `node`, each with a new fencing token. Rows another node is claiming at the same moment
   * are skipped, not waited for.
   */
  async claim(node: string, sessionIds: string[], limit: number, ttlMs: number): Promise<ClaimedLease[]> {
    if (!sessionIds.length || limit <= 0) return [];
    await this.db.query(
      `INSERT INTO session_lease (session_id, owner, expires_at, token) SELECT id, NULL, '-infinity', 0 FROM unnest($1::text[]) AS s(id)
       ON CONFLICT (session_id) DO NOTHING`,
      [sessionIds],
    );
    const rows = rowsOf(
      await this.db.query(
      `WITH free AS (
         SELECT session_id, owner FROM session_lease
          WHERE session_id = ANY($2::text[]) AND (owner IS NULL OR expires_at <= now() OR owner = $1)
            -- a session handed over to a node is kept for it for one TTL
            AND (handover_to IS NULL OR handover_to = $1 OR expires_at <= now() - $4 * interval '1 millisecond')
          ORDER BY session_id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE session_lease l SET owner = $1, expires_at = now() + $4 * interval '1 millisecond', token = l.token + 1,
              acquired_at = now(), renewed_at = now(), handover_to = NULL
         FROM free WHERE l.session_id = free.session_id
       RETURNING l.session_id, l.token::text AS token, free.owner AS previous_owner`,
        [node, sessionIds, limit, ttlMs],
      ),
    ) as { session_id: string; token: string; previous_owner: string | null }[];
    return rows.map((r) => ({ sessionId: r.session_id, token: r.token, previousOwner: r.previous_owner }));
  }

  /**
   * Extends the leases `node` still holds under these tokens; returns the sessions renewed (the
   * others are lost), each with the node that asked for it, if one did.
   */
  async renew(node: string, held: HeldLease[], ttlMs: number): Promise<Map<string, string | null>> {
    if (!held.length) return new Map();
    const rows = (await this.renewals.query(
      `UPDATE session_lease l SET expires_at = now() + $4 * interval '1 millisecond', renewed_at = now()
         FROM unnest($2::text[], $3::bigint[]) AS h(session_id, token)
        WHERE l.session_id = h.session_id AND l.token = h.token AND l.owner = $1 AND l.expires_at > now()
       RETURNING l.session_id, l.handover_to`,
        [node, held.map((h) => h.sessionId), held.map((h) => h.token), ttlMs],
    )) as { session_id: string; handover_to: string | null }[];
    return new Map(rows.map((r) => [r.session_id, r.handover_to]));
  }

  /** Gives leases up at once (others may claim them right away); only those still held under these tokens. */
  async release(node: string, held: HeldLease[]): Promise<number> {
    if (!held.length) return 0;
    const rows = rowsOf(
      await this.db.query(
      `UPDATE session_lease l SET owner = NULL, expires_at = now()
         FROM unnest($2::text[], $3::bigint[]) AS h(session_id, token)
        WHERE l.session_id = h.session_id AND l.token = h.token AND l.owner = $1
       RETURNING l.session_id`,
        [node, held.map((h) => h.sessionId), held.map((h) => h.token)],
      ),
    );
    return rows.length;
  }

  /**
   * Asks the owner of an unexpired lease to hand the session to `node` (it does so on its next
   * renewal). Returns the owner asked, or null when the lease is free (nobody to ask).
   */
  async requestHandover(sessionId: string, node: string): Promise<string | null> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE session_lease SET handover_to = $2 WHERE session_id = $1 AND owner IS NOT NULL AND owner <> $2 AND expires_at > now() RETURNING owner`,
        [sessionId, node],
      ),
    ) as { owner: string }[];
    return rows[0]?.owner ?? null;
  }

  /**
   * The fencing check of an owner-only write, inside the write's transaction: passes only while
   * `node` holds the session's unexpired lease under `token`. The row stays share-locked until
   * the transaction ends, so nobody can take the lease over between this check and the commit.
   */
  async isHeldIn(tx: EntityManager, sessionId: string, node: string, token: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM session_lease WHERE session_id = $1 AND owner = $2 AND token = $3::bigint AND expires_at > now() FOR SHARE`,
      [sessionId, node, token],
    );
    return rows.length > 0;
  }

  /**
   * The leases of these sessions (all when null) that were ever held; `owner` is null when the
   * lease expired or was released. A row only prepared for a first claim (token 0) is left out:
   * a new session has no lease yet, not a lost one.
   */
  async leases(sessionIds: string[] | null): Promise<LeaseRow[]> {
    const rows: { session_id: string; owner: string | null; expires_at: Date; token: string }[] = await this.db.query(
      `SELECT session_id, CASE WHEN expires_at > now() THEN owner END AS owner, expires_at, token::text AS token
         FROM session_lease WHERE token > 0 AND ($1::text[] IS NULL OR session_id = ANY($1::text[])) ORDER BY session_id`,
      [sessionIds],
    );
    return rows.map((r) => ({ sessionId: r.session_id, owner: r.owner, expiresAt: r.expires_at, token: r.token }));
  }
}
