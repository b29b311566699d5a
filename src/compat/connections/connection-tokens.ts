import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TokensService } from '../../auth/tokens.service';
import { AppConfig } from '../../config/app-config';
import { SecretBox } from '../../crypto/secret-box';

/** What a connection token carries. */
export interface ConnectionTokenClaims {
  /** The connection id. */
  sub: string;
  /** The customer id. */
  cid: string;
  typ: 'connection';
  jti: string;
  iat?: number;
}

/**
 * Connection tokens: HS256 JWTs signed with GATEWAY_JWT_SECRET (else a secret derived from the
 * master key), without expiry, each registered as a Switchboard API token for the connections
 * API bound to the connection's session. Only the token's hash is stored, so it is checked by
 * the global guard like any API token and revocable from the native API (`DELETE /api/auth/tokens/:id`).
 */
@Injectable()
export class ConnectionTokens {
  private readonly secret: string;

  constructor(
    private readonly tokens: TokensService,
    private readonly jwt: JwtService,
    config: AppConfig,
    box: SecretBox,
  ) {
    this.secret = config.auth.gatewayJwtSecret ?? box.deriveKey('compat-connections-jwt').toString('base64url');
  }

  /** Issues a new connection token; returns its secret (shown once) and API token id. */
  async issue(connection: { id: string; customerId: string; sessionId: string }): Promise<{ token: string; tokenId: string }> {
    const claims: ConnectionTokenClaims = { sub: connection.id, cid: connection.customerId, typ: 'connection', jti: randomUUID() };
    const token = await this.jwt.signAsync(claims, { secret: this.secret, algorithm: 'HS256' });
    const created = await this.tokens.create({
      name: `connection ${connection.customerId}`.slice(0, 200),
      role: 'api',
      api: 'connections',
      sessionId: connection.sessionId,
      secret: token,
    });
    return { token, tokenId: created.entity.id };
  }

  /** Revokes every connection token of a session (a reset). Returns how many. */
  revokeAll(sessionId: string): Promise<number> {
    return this.tokens.revokeWhere({ api: 'connections', sessionId });
  }
}
