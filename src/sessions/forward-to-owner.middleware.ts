import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ClusterService } from '../cluster/cluster.service';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { currentRequestContext } from '../common/logging/request-context';
import { AppConfig } from '../config/app-config';
import { SessionResolver } from './session-resolver';

/** Set on a forwarded request: the replica that forwarded it. Such a request is never forwarded again. */
export const FORWARDED_BY_HEADER = 'x-switchboard-forwarded-by';

/**
 * The session-scoped calls that need the live WhatsApp socket and answer synchronously: group
 * reads, number checks, the typing indicator, the sandbox controls, and on the Cloud API facade
 * (Meta's paths, with or without a version) the business profile and read receipts (a
 * `/messages` POST with `status: "read"`; sends are queued on any replica). The first group of
 * each pattern is the session reference (on the facade, any phone number id alias).
 */
const OWNER_ONLY_ROUTES: { method: string; path: RegExp; when?: (req: Request) => boolean }[] = [
  { method: 'GET', path: /^\/api\/sessions\/([^/]+)\/groups(?:\/[^/]+)?$/ },
  { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/(?:check-numbers|typing)$/ },
  { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/sandbox\/(?:link|inbound|call)$/ },
  { method: 'GET', path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/whatsapp_business_profile\/?$/ },
  { method: 'POST', path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/whatsapp_business_profile\/?$/ },
  { method: 'POST', path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/messages\/?$/, when: (req) => (req.body as { status?: unknown } | undefined)?.status === 'read' },
];

/** Request headers passed on to the owner: the caller's credentials, the body's type, the request id. */
const PASSED_HEADERS = ['authorization', 'x-api-key', 'content-type', 'accept', 'accept-language'];
/** Response headers passed back to the caller. */
const RETURNED_HEADERS = ['content-type', 'retry-after', 'cache-control'];

/**
 * Any replica accepts a call that needs the replica running the session: when another live
 * replica holds the session's lease, the request (method, path, query, body, the caller's
 * credentials, the request id) is sent on to that replica's NODE_URL and its answer returned
 * as is. The owner authenticates and authorizes it like any call. A forwarded request is never
 * forwarded again (a loop guard while a lease moves). Owner unreachable: 503
 * SESSION_OWNER_UNREACHABLE with `details.node`. See docs/scaling.md.
 */
@Injectable()
export class ForwardToOwnerMiddleware implements NestMiddleware {
  private readonly logger = new Logger(ForwardToOwnerMiddleware.name);

  constructor(
    private readonly cluster: ClusterService,
    private readonly resolver: SessionResolver,
    private readonly config: AppConfig,
  ) {}

  /** @throws AppError SESSION_OWNER_UNREACHABLE (answered through the app's exception filters) */
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const target = await this.target(req);
    if (!target) return next();
    await this.forward(req, res, target);
  }

  /** The replica to send this request to, or null to answer it here. */
  private async target(req: Request): Promise<{ node: string; url: string | null } | null> {
    if (req.headers[FORWARDED_BY_HEADER] !== undefined) return null;
    const path = req.originalUrl.split('?')[0];
    const route = OWNER_ONLY_ROUTES.find((r) => r.method === req.method && r.path.test(path) && (!r.when || r.when(req)));
    if (!route) return null;
    let ref: string;
    try {
      ref = decodeURIComponent(route.path.exec(path)![1]);
    } catch {
      return null;
    }
    // An unknown session is answered here (404 after authentication), never forwarded.
    const entity = await this.resolver.findEntity(ref).catch(() => null);
    if (!entity) return null;
    return this.cluster.remoteOwner(entity.id);
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
