import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { SessionNotFoundError } from '../common/errors/app-error';
import { normalizePhoneNumber } from '../common/utils/phone-number';
import { AppConfig } from '../config/app-config';
import { SessionEntity } from './entities/session.entity';

/**
 * Resolved sessions are cached briefly: every send resolves its session, and the row changes
 * rarely (every write through SessionStore forgets it). Other processes' changes show after
 * the TTL at most.
 */
const RESOLVE_CACHE_TTL_MS = 2_000;
const RESOLVE_CACHE_MAX = 10_000;

/** What a session reference can match: the id itself, and for a number-like ref its digits. */
export interface SessionRefKeys {
  id: string;
  /** The ref's digits when it looks like a number: a mobid (LID user) or a mobile number. */
  digits: string | null;
  /** Mobile numbers the ref may stand for: its digits as given and in international form. */
  mobiles: string[];
}

/**
 * How a reference is matched: `qr_…` by id; a bare digit string by the canonical Cloud API
 * phone number id first; `+91 98765 43210`, `919876543210` or a national
 * number (with the default country) by mobile number; a bare digit string also by mobid.
 * Null for a blank ref.
 */
export function sessionRefKeys(ref: string, defaultCountry?: string): SessionRefKeys | null {
  const id = ref.trim();
  if (!id) return null;
  const digits = /^\(?\+?[\d\s().-]+$/.test(id) ? id.replace(/\D/g, '') : null;
  if (!digits) return { id, digits: null, mobiles: [] };
  const mobile = normalizePhoneNumber(id, defaultCountry);
  return { id, digits, mobiles: [...new Set([digits, mobile ?? digits])] };
}

/**
 * Finds session rows by reference (id, canonical phone number id, mobile number in any common
 * format, or mobid) with a short cache. It only reads; SessionStore, which writes the rows, tells it what to forget.
 */
@Injectable()
export class SessionResolver {
  private readonly resolved = new Map<string, { entity: SessionEntity; expires: number }>();
  /** Lookups under way, by trimmed ref; a change to a session drops them (see forget). */
  private readonly inFlight = new Map<string, Promise<SessionEntity | null>>();
  private cacheEpoch = 0;

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly config: AppConfig,
  ) {}

  /**
   * The session a reference names. When several rows match a number (a re-linked account),
   * the active, ready, most recent one wins. Null when none.
   */
  async findEntity(ref: string): Promise<SessionEntity | null> {
    // The cache is keyed by the trimmed ref (what sessionRefKeys calls `id`), so a hit (every
    // send but the first few) skips parsing the ref as a number.
    const cached = this.resolved.get(ref.trim());
    if (cached && cached.expires > Date.now()) return cached.entity;
    const keys = sessionRefKeys(ref, this.config.whatsapp.defaultCountry);
    if (!keys) return null;
    // When the entry expires under load, the requests that arrive together share one query.
    let lookup = this.inFlight.get(keys.id);
    if (!lookup) {
      lookup = this.lookUp(keys).finally(() => {
        if (this.inFlight.get(keys.id) === lookup) this.inFlight.delete(keys.id);
      });
      this.inFlight.set(keys.id, lookup);
    }
    return lookup;
  }

  private async lookUp(keys: SessionRefKeys): Promise<SessionEntity | null> {
    // A row read before a concurrent change must not be cached after that change's invalidation.
    const epoch = this.cacheEpoch;
    const entity = await this.query(keys);
    if (entity && epoch === this.cacheEpoch) {
      if (this.resolved.size >= RESOLVE_CACHE_MAX) this.resolved.clear();
      this.resolved.set(keys.id, { entity, expires: Date.now() + RESOLVE_CACHE_TTL_MS });
    }
    return entity;
  }

  /** @throws SessionNotFoundError */
  async getEntity(ref: string): Promise<SessionEntity> {
    const entity = await this.findEntity(ref);
    if (!entity) throw new SessionNotFoundError(ref);
    return entity;
  }

  /**
   * The session's row as `manager` sees it now (in its transaction), never cached: for readers
   * that must not lag a change another replica made. Null when there is no such session.
   */
  readNow(sessionId: string, manager: EntityManager): Promise<SessionEntity | null> {
    return manager.getRepository(SessionEntity).findOneBy({ id: sessionId });
  }

  /** The row by id as it is in the database now (no cache). @throws SessionNotFoundError */
  async getUncached(sessionId: string): Promise<SessionEntity> {
    const entity = await this.sessions.findOneBy({ id: sessionId });
    if (!entity) throw new SessionNotFoundError(sessionId);
    return entity;
  }

  /** Sessions that should be connected (restored at boot), oldest first. */
  listActive(): Promise<SessionEntity[]> {
    return this.sessions.find({ where: { active: true }, order: { createdAt: 'ASC' } });
  }

  /** Ids of the sessions labelled with a workspace. */
  async idsInWorkspace(workspace: string): Promise<string[]> {
    const rows = await this.sessions
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where(`s.settings->>'workspace' = :workspace`, { workspace })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Drops cached lookups of a session whose row changed. */
  forget(sessionId: string): void {
    this.cacheEpoch += 1;
    // A lookup that began before the change may return the old row: later callers start anew.
    this.inFlight.clear();
    for (const [ref, { entity }] of this.resolved) if (entity.id === sessionId) this.resolved.delete(ref);
  }

  private query(keys: SessionRefKeys): Promise<SessionEntity | null> {
    const qb = this.sessions.createQueryBuilder('s').where('s.id = :ref', { ref: keys.id });
    if (keys.digits) {
      qb.orWhere('s.phone_number_id = :digits', { digits: keys.digits })
        .orWhere('s.mobid = :digits')
        .orWhere('s.mobile_number IN (:...mobiles)', { mobiles: keys.mobiles });
    }
    qb.orderBy('(s.id = :ref)', 'DESC');
    // The canonical phone number id names one session exactly: it wins over a number or mobid match.
    if (keys.digits) qb.addOrderBy('(s.phone_number_id = :digits)', 'DESC');
    return qb
      .addOrderBy('s.active', 'DESC')
      .addOrderBy(`(s.status = 'READY')`, 'DESC')
      .addOrderBy('s.updated_at', 'DESC')
      .getOne();
  }
}
