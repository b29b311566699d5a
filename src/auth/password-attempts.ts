import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';

/** Clients tracked at once; past this the oldest window is forgotten (the global ceiling still holds). */
export const MAX_TRACKED_CLIENTS = 10_000;

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * Bounds password guessing: at most `perClient` failed checks per client address and
 * `global` in all per window (a fixed window starting at the first failure). An attempt is
 * counted when it starts (so a burst of parallel guesses cannot slip past the limit while the
 * hash is computed) and given back when the password was right. In memory, per process:
 * with several replicas each one counts on its own.
 *
 * IPv6 clients are counted per /64 (one host usually holds a whole /64). The address is the
 * one Express reports (`req.ip`), which follows the app's `trust proxy` setting.
 */
@Injectable()
export class PasswordAttempts {
  private readonly clients = new Map<string, Window>();
  private global: Window = { failures: 0, resetAt: 0 };
  private readonly perClient: number;
  private readonly globalMax: number;
  private readonly windowMs: number;

  constructor(config: AppConfig) {
    ({ maxFailures: this.perClient, maxFailuresGlobal: this.globalMax, windowMs: this.windowMs } = config.auth.passwordAttempts);
  }

  /**
   * Counts one password check by `clientIp`; call `succeeded()` when the password was right.
   * @throws AppError TOO_MANY_ATTEMPTS (429, with `retryAfterSeconds`) when the client or
   *   everyone is over the limit; the password must then not be checked at all.
   */
  begin(clientIp: string | undefined): void {
    const now = Date.now();
    const key = clientKey(clientIp);
    if (this.global.resetAt <= now) this.global = { failures: 0, resetAt: now + this.windowMs };
    let client = this.clients.get(key);
    if (client && client.resetAt <= now) {
      this.clients.delete(key);
      client = undefined;
    }
    if (client && client.failures >= this.perClient) throw tooMany(client.resetAt - now, 'from this address');
    if (this.global.failures >= this.globalMax) throw tooMany(this.global.resetAt - now, 'on this server');
    if (!client) {
      // Insertion order is expiry order (fixed windows of one length): the first key is the oldest.
      if (this.clients.size >= MAX_TRACKED_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      client = { failures: 0, resetAt: now + this.windowMs };
      this.clients.set(key, client);
    }
    client.failures++;
    this.global.failures++;
  }

  /** The password checked after `begin()` was right: that attempt is not a failure. */
  succeeded(clientIp: string | undefined): void {
    const client = this.clients.get(clientKey(clientIp));
    if (client && client.failures > 0) client.failures--;
    if (this.global.failures > 0) this.global.failures--;
  }

  /** Clients currently tracked (for tests and metrics). */
  get trackedClients(): number {
    return this.clients.size;
  }
}

function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  return (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':') + '::/64';
}

function tooMany(ms: number, where: string): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000));
  return new AppError(ErrorCode.TOO_MANY_ATTEMPTS, `Too many failed password attempts ${where}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}
