import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { safeDecodeURIComponent } from '../common/utils/safe-decode';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus';
import { EVENT_OUTBOX, type EventOutbox } from '../events/event-outbox';
import { toRecipient } from '../messages/recipient';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionAccess } from '../sessions/session-access';
import type { ContactInfo } from '../whatsapp/engine/engine-events';
import { ContactEntity, type OptIn } from './entities/contact.entity';
import type { ContactDto } from './dto/contact.dto';

export function toContactDto(c: ContactEntity): ContactDto {
  return {
    sessionId: c.sessionId,
    jid: c.jid,
    phoneNumber: c.phoneNumber,
    lid: c.lid,
    name: c.name,
    pushName: c.pushName,
    optIn: c.optIn,
    optInAt: c.optInAt?.toISOString() ?? null,
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * Contacts as each session knows them: from WhatsApp's contact sync and from who writes in.
 * The only writer of the `contact` table; other modules call the methods below (and pass
 * their transaction in when the contact must commit with their own rows).
 */
@Injectable()
export class ContactsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ContactsService.name);
  private unsubscribe?: () => void;

  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    private readonly access: SessionAccess,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('engine.contacts', (e) =>
      this.upsert(e.sessionId, e.contacts).catch((err) => this.logger.error({ err, sessionId: e.sessionId }, 'Storing contacts failed')),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  async upsert(sessionId: string, batch: ContactInfo[]): Promise<void> {
    // One row per JID: a sync batch may carry a person under its LID and its phone number, both
    // mapped to the same JID, and one INSERT … ON CONFLICT may not touch a row twice.
    const byJid = new Map<string, ContactInfo>();
    for (const c of batch) {
      const seen = byJid.get(c.jid);
      byJid.set(
        c.jid,
        seen
          ? { jid: c.jid, phoneNumber: c.phoneNumber ?? seen.phoneNumber, lid: c.lid ?? seen.lid, name: c.name ?? seen.name, pushName: c.pushName ?? seen.pushName }
          : c,
      );
    }
    const contacts = [...byJid.values()];
    for (let i = 0; i < contacts.length; i += 500) {
      const chunk = contacts.slice(i, i + 500);
      const params: unknown[] = [sessionId];
      const tuples = chunk.map((c) => {
        params.push(c.jid, c.phoneNumber, c.lid, c.name, c.pushName);
        const n = params.length;
        return `($1, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await this.contacts.query(
        `INSERT INTO contact (session_id, jid, phone_number, lid, name, push_name) VALUES ${tuples.join(', ')}
         ON CONFLICT (session_id, jid) DO UPDATE SET
           phone_number = COALESCE(EXCLUDED.phone_number, contact.phone_number), lid = COALESCE(EXCLUDED.lid, contact.lid),
           name = COALESCE(EXCLUDED.name, contact.name), push_name = COALESCE(EXCLUDED.push_name, contact.push_name), updated_at = now()`,
        params,
      );
    }
  }

  /**
   * Contacts of one session (the route's authorized `session`, or `sessionRef` checked here), or
   * of every session the caller may see, or of those of `sessionIds` it may see (the phones
   * manager API: its phones' sessions); search and pages.
   */
  async list(
    principal: Principal,
    query: { sessionRef?: string; sessionIds?: string[]; q?: string; page?: number; limit?: number; optIn?: OptIn },
    session?: SessionEntity,
  ): Promise<{ contacts: ContactDto[]; total: number; page: number; limit: number }> {
    const page = query.page ?? 1;
    const limit = query.limit ?? 50;
    const qb = this.contacts.createQueryBuilder('c').orderBy('c.updated_at', 'DESC').addOrderBy('c.jid').skip((page - 1) * limit).take(limit);
    let sessionIds = session ? [session.id] : await this.access.visibleSessionIds(principal, query.sessionRef);
    if (!session && query.sessionIds) sessionIds = sessionIds ? query.sessionIds.filter((id) => sessionIds!.includes(id)) : query.sessionIds;
    if (sessionIds && !sessionIds.length) return { contacts: [], total: 0, page, limit };
    if (sessionIds) qb.andWhere('c.session_id IN (:...sessionIds)', { sessionIds });
    if (query.optIn) qb.andWhere('c.opt_in = :optIn', { optIn: query.optIn });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w.where('c.name ILIKE :like', { like }).orWhere('c.push_name ILIKE :like').orWhere('c.phone_number ILIKE :like').orWhere('c.jid ILIKE :like'),
        ),
      );
    }
    const [rows, total] = await qb.getManyAndCount();
    return { contacts: rows.map(toContactDto), total, page, limit };
  }

  /** Sets a contact's opt-in by hand (an admin recording consent given elsewhere). */
  async setOptIn(session: SessionEntity, contact: string, optIn: OptIn): Promise<ContactDto> {
    // The router decoded the path once; a contact given as %-escapes (a JID's @) is decoded again.
    const decoded = safeDecodeURIComponent(contact);
    const recipient = decoded === null ? null : toRecipient(decoded, this.config.whatsapp.defaultCountry);
    if (!recipient) throw new AppError(ErrorCode.RECIPIENT_INVALID, 'contact is neither a phone number nor a JID');
    const row = await this.record(session.id, recipient.jid, recipient.phoneNumber, optIn, 'api');
    return toContactDto(row);
  }

  async find(sessionId: string, jid: string): Promise<ContactEntity | null> {
    return this.contacts.findOneBy({ sessionId, jid });
  }

  /** The contact's opt-in answer, null when it gave none (or is unknown). */
  async optInOf(sessionId: string, jid: string): Promise<OptIn | null> {
    const row = await this.contacts.findOne({ select: { optIn: true }, where: { sessionId, jid } });
    return row?.optIn ?? null;
  }

  /**
   * The opt-in answers of several contacts in one query, keyed `sessionId|jid`; contacts without
   * a row are absent.
   */
  async optInsOf(keys: { sessionId: string; jid: string }[]): Promise<Map<string, OptIn | null>> {
    if (!keys.length) return new Map();
    const rows: { session_id: string; jid: string; opt_in: OptIn | null }[] = await this.contacts.query(
      `SELECT c.session_id, c.jid, c.opt_in FROM contact c JOIN unnest($1::text[], $2::text[]) AS k(session_id, jid)
          ON c.session_id = k.session_id AND c.jid = k.jid`,
      [keys.map((k) => k.sessionId), keys.map((k) => k.jid)],
    );
    return new Map(rows.map((r) => [`${r.session_id}|${r.jid}`, r.opt_in]));
  }

  /**
   * Records who wrote in (its push name and number) as part of the caller's transaction `tx`,
   * so the contact commits with the inbound message that named it.
   */
  async recordSender(tx: EntityManager, sessionId: string, jid: string, phoneNumber: string | null, pushName: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO contact (session_id, jid, phone_number, push_name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_id, jid) DO UPDATE SET push_name = COALESCE(EXCLUDED.push_name, contact.push_name),
         phone_number = COALESCE(contact.phone_number, EXCLUDED.phone_number), updated_at = now()`,
      [sessionId, jid, phoneNumber, pushName],
    );
  }

  /** Records an opt-in answer and, in the same transaction, its `contact.opt_in` event. */
  async record(sessionId: string, jid: string, phoneNumber: string | null, optIn: OptIn, source: 'reply' | 'api' | 'prompt'): Promise<ContactEntity> {
    const at = new Date().toISOString();
    const { row, data } = await this.contacts.manager.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO contact (session_id, jid, phone_number, opt_in, opt_in_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (session_id, jid) DO UPDATE SET opt_in = EXCLUDED.opt_in, opt_in_at = now(),
           phone_number = COALESCE(contact.phone_number, EXCLUDED.phone_number), updated_at = now()`,
        [sessionId, jid, phoneNumber, optIn],
      );
      const stored = (await tx.getRepository(ContactEntity).findOneBy({ sessionId, jid }))!;
      const payload = { contact: toContactDto(stored), optIn, source };
      if (optIn !== 'pending') await this.outbox?.publish({ type: 'contact.opt_in', sessionId, data: payload, at }, tx);
      return { row: stored, data: payload };
    });
    if (optIn !== 'pending') this.bus.emit({ type: 'contact.opt_in', sessionId, data, at });
    return row;
  }
}
