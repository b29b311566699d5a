import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { wabaIdOf } from '../common/utils/graph-ids';
import { SessionsService } from '../sessions/sessions.service';
import { GraphObjectNotFoundError } from './cloud-api.errors';

/**
 * The WhatsApp Business Accounts a credential may address. A WABA is a workspace (the
 * sessions labelled with it); `workspace: null` is the account of the sessions without one.
 * Its id is `wabaIdOf(workspace)` (15 digits starting with 2), so a `{waba-id}` path segment
 * resolves by comparing it with the ids of the workspaces the credential may use:
 * - a workspace-bound credential: its workspace;
 * - a session-bound credential: its session's workspace (null when the session has none);
 * - any other credential: every workspace in use, and null.
 */
@Injectable()
export class WabaDirectory {
  constructor(private readonly sessions: SessionsService) {}

  /** The workspaces (WABAs) the credential may address. */
  async workspaces(principal: Principal): Promise<(string | null)[]> {
    if (principal.workspace) return [principal.workspace];
    const names = (await this.sessions.workspaces(principal)).map((w) => w.name);
    if (principal.sessionId) return names.length ? names : [null];
    return [null, ...names];
  }

  /**
   * The workspace a WABA id stands for.
   * @throws GraphObjectNotFoundError (Graph 100/33) for an id that is not one of the credential's accounts
   */
  async resolve(principal: Principal, wabaId: string): Promise<{ workspace: string | null }> {
    for (const workspace of await this.workspaces(principal)) {
      if (wabaIdOf(workspace) === wabaId) return { workspace };
    }
    throw new GraphObjectNotFoundError(wabaId);
  }
}
