import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CredentialVerifier } from '../auth/credential-verifier.service';
import { ClusterService } from '../cluster/cluster.service';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { currentRequestContext } from '../common/logging/request-context';
import { AppConfig } from '../config/app-config';
import { OwnerRoutes } from './owner-routes';

/** Set on a forwarded request: the replica that forwarded it. Such a request is never forwarded again. */
export const FORWARDED_BY_HEADER = 'x-switchboard-forwarded-by';

/** Request headers passed on to the owner: the caller's credentials (every header a guard reads), the body's type. */
const PASSED_HEADERS = ['authorization', 'x-api-key', 'apikey', 'cookie', 'content-type', 'accept', 'accept-language'];
/** Response headers passed back to the caller. */
const RETURNED_HEADERS = ['content-type', 'retry-after', 'cache-control'];

/**
 * Any replica accepts a call that needs the replica running the session (the OwnerRoutes: the
 * native ones and those each product API under /compat registers): the caller is
 * authenticated here first, as the route's guard does (an anonymous or bad credential gets
 * its 401 on this replica and is never forwarded); then, when another live replica holds the
 * session's lease, the request (method, path, query, body, the caller's credentials, the
 * request id) is sent on to that replica's NODE_URL and its answer returned as is. The owner
 * authenticates and authorizes it again like any call. A forwarded request is never forwarded
 * again (a loop guard while a lease moves). Owner unreachable: 503 SESSION_OWNER_UNREACHABLE
 * with `details.node`. See docs/scaling.md.
 */
@Injectable()
export class ForwardToOwnerMiddleware implements NestMiddleware {
  private readonly logger = new Logger(ForwardToOwnerMiddleware.name);

  constructor(
    private readonly cluster: ClusterService,
    private readonly routes: OwnerRoutes,
    private readonly verifier: CredentialVerifier,
    private readonly config: AppConfig,
  ) {}

  /**
   * @throws AppError SESSION_OWNER_UNREACHABLE, and the route's authentication errors
   * (answered through the app's exception filters, in the route's API's format)
   */
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const target = await this.target(req);
    if (!target) return next();
    await this.forward(req, res, target);
  }

  /** The replica to send this request to, or null to answer it here. */
  private async target(req: Request): Promise<{ node: string; url: string | null } | null> {
    if (req.headers[FORWARDED_BY_HEADER] !== undefined) return null;
    const found = this.routes.match(req);
    if (!found) return null;
    const { route, match } = found;
    // Who calls is settled before anything else: an anonymous request costs no lease lookup.
    const caller = route.authenticate ? await route.authenticate(req) : await this.verifier.authenticateRequest(req, route.api);
    const sessionId = await route.session(req, match, caller).catch(() => null);
    if (!sessionId) return null;
    return this.cluster.remoteOwner(sessionId);
  }

  private async forward(req: Request, res: Response, target: { node: string; url: string | null }): Promise<void> {
    const unreachable = (reason: string, cause?: unknown) =>
      new AppError(ErrorCode.SESSION_OWNER_UNREACHABLE, `The replica running this session ('${target.node}') could not be reached; retry shortly`, { node: target.node, reason }, { cause });
    if (!target.url) throw unreachable('it advertises no NODE_URL');
    const headers: Record<string, string> = { [FORWARDED_BY_HEADER]: this.cluster.nodeId };
    for (const name of PASSED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const requestId = currentRequestContext()?.requestId ?? (typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined);
    if (requestId) headers['x-request-id'] = requestId;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    let answer: globalThis.Response;
    try {
      answer = await fetch(`${target.url}${req.originalUrl}`, {
        method: req.method,
        headers,
        body: hasBody ? JSON.stringify(req.body) : undefined,
        redirect: 'manual',
        // The owner may itself wait for the session to become READY.
        signal: AbortSignal.timeout(this.config.whatsapp.readyWaitTimeoutMs + FORWARD_MARGIN_MS),
      });
    } catch (err) {
      this.logger.warn({ node: target.node, err: (err as Error).message }, 'Forwarding a call to the replica running the session failed');
      throw unreachable((err as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed', err);
    }
    res.status(answer.status);
    for (const name of RETURNED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) res.setHeader(name, value);
    }
    res.setHeader('x-switchboard-node', target.node);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }
}

/** How much longer than the owner's own wait for READY a forwarded call may take. */
const FORWARD_MARGIN_MS = 10_000;
