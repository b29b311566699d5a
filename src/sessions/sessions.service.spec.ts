import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import type { SessionEntity } from './entities/session.entity';
import type { SessionRegistry } from './session-registry';
import type { SessionStore } from './session-store';
import { SessionsService } from './sessions.service';

/** SessionsService.create with a product API's initial settings: stored before the session starts. */
describe('SessionsService.create', () => {
  const setup = () => {
    const calls: string[] = [];
    let stored: Record<string, unknown> | undefined;
    const store = {
      create: async (values: Record<string, unknown>) => {
        calls.push('store.create');
        stored = values;
        return { ...values } as unknown as SessionEntity;
      },
    } as unknown as SessionStore;
    const registry = { start: async () => void calls.push('registry.start') } as unknown as SessionRegistry;
    const config = { whatsapp: { engine: 'sandbox', defaultCountry: undefined } } as unknown as AppConfig;
    const none = new Proxy({}, { get: (_, key) => assert.fail(`unexpected use of ${String(key)}`) });
    const service = new SessionsService(none as never, none as never, registry, none as never, none as never, store, config);
    return { service, calls, stored: () => stored };
  };

  it('stores the initial settings with the row, then starts it', async () => {
    const { service, calls, stored } = setup();
    await service.create(Principal.admin('api-key'), { name: 'default', method: 'qr' }, { minDelayMs: 8000, maxDelayMs: 22000, requireOptIn: true, optInMode: 'hold' });
    assert.deepEqual(calls, ['store.create', 'registry.start']);
    assert.deepEqual(stored()?.settings, { minDelayMs: 8000, maxDelayMs: 22000, requireOptIn: true, optInMode: 'hold' });
  });

  it('keeps the workspace of the caller over the initial settings, and stores none by default', async () => {
    const a = setup();
    await a.service.create(Principal.admin('api-key'), { workspace: 'w1' }, { workspace: 'other', requireOptIn: true });
    assert.deepEqual(a.stored()?.settings, { workspace: 'w1', requireOptIn: true });
    const b = setup();
    await b.service.create(Principal.admin('api-key'), {});
    assert.deepEqual(b.stored()?.settings, {});
  });
});
