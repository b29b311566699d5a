import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AuthService } from './auth.service';
import { TokensService } from './tokens.service';

export type AccessHint =
  | { kind: 'api-key' }
  | { kind: 'password' }
  | { kind: 'admin-token'; file: string; generatedToken: string | null };

/**
 * Makes a fresh install usable at once: with no API_KEY and no admin password, the first
 * start generates an admin token, keeps it in DATA_DIR/admin-token (mode 0600) and hands it
 * to the startup banner to print once.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private hint: AccessHint = { kind: 'api-key' };

  constructor(
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly tokens: TokensService,
  ) {}

  get tokenFile(): string {
    return join(this.config.dataDir, 'admin-token');
  }

  accessHint(): AccessHint {
    return this.hint;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.apiKey) {
      this.hint = { kind: 'api-key' };
      return;
    }
    if (await this.auth.hasPassword()) {
      this.hint = { kind: 'password' };
      return;
    }
    const file = this.tokenFile;
    if (existsSync(file) && (await this.tokens.isLive(readFileSync(file, 'utf8').trim()))) {
      this.hint = { kind: 'admin-token', file, generatedToken: null };
      return;
    }
    const { token } = await this.tokens.create({ name: 'bootstrap admin', role: 'admin' });
    mkdirSync(this.config.dataDir, { recursive: true });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.hint = { kind: 'admin-token', file, generatedToken: token };
  }
}
