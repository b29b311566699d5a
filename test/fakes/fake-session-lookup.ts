import { SessionNotFoundError } from '../../src/common/errors/app-error';
import type { SessionEntity } from '../../src/sessions/entities/session.entity';
import type { SessionLookup } from '../../src/sessions/session-access';
import { sessionRefKeys } from '../../src/sessions/session-resolver';

export type FakeSessionRow = Pick<SessionEntity, 'id'> & Partial<SessionEntity>;

/**
 * SessionResolver's reads over rows in memory, matching references with the resolver's own
 * keys (id, mobid, mobile number as given or normalized with `defaultCountry`). `calls` lists
 * the refs looked up.
 */
export class FakeSessionLookup implements SessionLookup {
  readonly calls: string[] = [];

  constructor(
    private readonly rows: FakeSessionRow[],
    private readonly defaultCountry = 'IN',
  ) {}

  async getEntity(ref: string): Promise<SessionEntity> {
    this.calls.push(ref);
    const keys = sessionRefKeys(ref, this.defaultCountry);
    const row = keys
      ? this.rows.find((r) => r.id === keys.id || (keys.digits !== null && (r.mobid === keys.digits || keys.mobiles.includes(r.mobileNumber ?? ''))))
      : undefined;
    if (!row) throw new SessionNotFoundError(ref);
    return { settings: {}, ...row } as SessionEntity;
  }

  async idsInWorkspace(workspace: string): Promise<string[]> {
    return this.rows.filter((r) => r.settings?.workspace === workspace).map((r) => r.id);
  }
}

/** Three sessions: two labelled with a workspace (Sales, Support), one with none. */
export const SAMPLE_SESSIONS = {
  sales: { id: 'qr_1_sales', mobileNumber: '919846303025', mobid: '123456789012345', settings: { workspace: 'Sales' } },
  support: { id: 'qr_2_support', mobileNumber: '15550001111', mobid: '987654321098765', settings: { workspace: 'Support' } },
  loose: { id: 'qr_3_loose', mobileNumber: '447700900123', mobid: null, settings: {} },
} satisfies Record<string, FakeSessionRow>;
