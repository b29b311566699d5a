import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import type { VoiceNoteService } from '../media/audio/voice-note.service';
import type { SessionRegistry } from '../sessions/session-registry';
import type { SessionsService } from '../sessions/sessions.service';
import { HealthService } from './health.service';

/** A HealthService whose database answers `SELECT 1` as told; it needs nothing else for readiness. */
function service(database: { up: boolean }): { health: HealthService; queries: () => number } {
  let queries = 0;
  const db = {
    query: async () => {
      queries++;
      if (!database.up) throw new Error('connection refused');
      return [{ '?column?': 1 }];
    },
  } as unknown as DataSource;
  const health = new HealthService(db, {} as SessionRegistry, {} as SessionsService, {} as VoiceNoteService, {} as AppConfig);
  return { health, queries: () => queries };
}

describe('HealthService readiness', () => {
  const started: HealthService[] = [];
  /** Stands for the app's own shutdown hook, so the signal emitted here is handled by someone. */
  const shutdownHook = () => undefined;
  afterEach(() => {
    for (const health of started.splice(0)) health.onApplicationShutdown();
    process.removeListener('SIGTERM', shutdownHook);
  });

  it('is ready while the database answers and says DATABASE_UNAVAILABLE while it does not', async () => {
    const database = { up: true };
    const { health } = service(database);
    assert.deepEqual(await health.readiness(), { ready: true });
    database.up = false;
    assert.deepEqual(await health.readiness(), { ready: false, code: 'DATABASE_UNAVAILABLE' });
    database.up = true;
    assert.deepEqual(await health.readiness(), { ready: true });
  });

  it('turns DRAINING at the first SIGTERM, before any shutdown hook, without asking the database, and leaves no listener behind', async () => {
    const { health, queries } = service({ up: true });
    const before = process.listenerCount('SIGTERM');
    const beforeInt = process.listenerCount('SIGINT');
    process.on('SIGTERM', shutdownHook);
    health.onApplicationBootstrap();
    started.push(health);
    assert.equal(process.listenerCount('SIGTERM'), before + 2);
    // Heard ahead of the listeners registered before it (the app's shutdown hooks).
    assert.notEqual(process.listeners('SIGTERM')[0], shutdownHook);
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(await health.readiness(), { ready: false, code: 'DRAINING' });
    assert.equal(queries(), 0);
    assert.equal(process.listenerCount('SIGTERM'), before + 1, 'its own listener is gone after the first signal');
    assert.equal(process.listenerCount('SIGINT'), beforeInt, 'and its SIGINT one');
  });

  it('turns DRAINING when the app closes without a signal, and stops listening on shutdown', async () => {
    const { health } = service({ up: true });
    const before = process.listenerCount('SIGINT');
    health.onApplicationBootstrap();
    assert.equal(process.listenerCount('SIGINT'), before + 1);
    health.onModuleDestroy();
    assert.deepEqual(await health.readiness(), { ready: false, code: 'DRAINING' });
    health.onApplicationShutdown();
    assert.equal(process.listenerCount('SIGINT'), before);
  });
});
