import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import type { ProductApi } from '../auth/product-api';
import { SessionResolver } from './session-resolver';

/**
 * A session-scoped call that needs the live WhatsApp socket and answers synchronously, so that
 * any replica can forward it to the one running the session (ForwardToOwnerMiddleware).
 */
export interface OwnerRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Matched against the path without its query string. */
  path: RegExp;
  /** A further condition on the request (its body, say). */
  when?: (req: Request) => boolean;
  /** The product API whose credentials the route takes (null: the native ones), checked before forwarding. */
  api: ProductApi | null;
  /**
   * Authenticates the caller as the route's own guard does (only for routes that skip the
   * global guard); throws that guard's error. Null: "no credential, and that is allowed".
   */
  authenticate?: (req: Request) => Promise<Principal | null>;
  /**
   * The id of the session the call is for, or null to answer it on this replica (no such
   * session, bad input: the route's own handler answers with its error).
   */
  session: (req: Request, match: RegExpExecArray, caller: Principal | null) => Promise<string | null>;
}

/**
 * The calls that need the replica running the session. The native API's and the Cloud API
 * facade's are listed here; each product API under /compat registers its own at start
 * (it alone knows how its routes name a session: a phone number, a device token, a connection).
 */
@Injectable()
export class OwnerRoutes {
  private readonly routes: OwnerRoute[];

  constructor(resolver: SessionResolver) {
    // The first group of each native pattern is the session reference (on the facade, any
    // phone number id alias). An unknown session is answered here (404 after authentication).
    const byRef = async (_req: Request, match: RegExpExecArray): Promise<string | null> => {
      let ref: string;
      try {
        ref = decodeURIComponent(match[1]);
      } catch {
        return null;
      }
      return (await resolver.findEntity(ref).catch(() => null))?.id ?? null;
    };
    this.routes = [
      // Group reads, number checks, the typing indicator, the sandbox controls.
      { method: 'GET', path: /^\/api\/sessions\/([^/]+)\/groups(?:\/[^/]+)?$/, api: null, session: byRef },
      { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/(?:check-numbers|typing)$/, api: null, session: byRef },
      { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/sandbox\/(?:link|inbound|call)$/, api: null, session: byRef },
      // The Cloud API facade (Meta's paths, with or without a version): the business profile and
      // read receipts (a `/messages` POST with `status: "read"`; sends are queued on any replica).
      { method: 'GET', path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/whatsapp_business_profile\/?$/, api: null, session: byRef },
      { method: 'POST', path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/whatsapp_business_profile\/?$/, api: null, session: byRef },
      {
        method: 'POST',
        path: /^(?:\/v\d+\.\d+)?\/([^/]+)\/messages\/?$/,
        when: (req) => (req.body as { status?: unknown } | undefined)?.status === 'read',
        api: null,
        session: byRef,
      },
    ];
  }

  /** Adds a product API's routes (call at module init). */
  register(...routes: OwnerRoute[]): void {
    this.routes.push(...routes);
  }

  /** The route a request is for, with its path match, or null when it may be answered anywhere. */
  match(req: Request): { route: OwnerRoute; match: RegExpExecArray } | null {
    const path = req.originalUrl.split('?')[0];
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(path);
      if (match && (!route.when || route.when(req))) return { route, match };
    }
    return null;
  }
}

/** A string from the query string or the JSON body (the first one given), else undefined. */
export function requestField(req: Request, name: string): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.[name];
  if (typeof fromBody === 'string') return fromBody;
  const fromQuery = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}
