/**
 * Shared test fixtures: a started, trusted simulator and linked Baileys clients.
 */
import assert from 'node:assert/strict';
import { connectClient, memoryAuth, type MemoryAuth, type TestClient } from './baileys-client';
import { unrefBaileysLongTimers } from './baileys-timers';
import { trustSimulator, type AppliedTrust } from './trust';
import { WaSimulator, type LinkResult, type WaSimulatorOptions } from './wa-simulator';

export interface SimFixture {
  sim: WaSimulator;
  trust: AppliedTrust;
  clients: TestClient[];
  /** Connect a Baileys socket to the simulator (ended automatically by `close`). */
  connect(auth?: MemoryAuth): TestClient;
  /** QR-link a fresh auth state, go through the 515 restart, return the open client. */
  linkWithQr(phoneNumber?: string): Promise<{ client: TestClient; link: LinkResult; auth: MemoryAuth }>;
  close(): Promise<void>;
}

/**
 * A started simulator that this process's Baileys trusts (its root key and media CA), with
 * Baileys' long timers unref'd so a test file can exit; `close()` ends its clients, stops it
 * and lifts the trust. Also for e2e specs whose gateway runs Baileys in-process.
 */
export async function startSimulator(options: WaSimulatorOptions = {}): Promise<SimFixture> {
  unrefBaileysLongTimers();
  const sim = new WaSimulator({ logErrors: false, ...options });
  await sim.start();
  const trust = trustSimulator({ rootPublicKey: sim.rootPublicKey, mediaCaPem: sim.mediaCaPem });
  const clients: TestClient[] = [];
  const fixture: SimFixture = {
    sim,
    trust,
    clients,
    connect(auth = memoryAuth()) {
      const client = connectClient(sim.url, auth);
      clients.push(client);
      return client;
    },
    async linkWithQr(phoneNumber) {
      const auth = memoryAuth();
      const first = fixture.connect(auth);
      const qr = await first.waitForQr();
      const link = await sim.scan(qr, phoneNumber);
      assert.equal(await first.waitForClose(), 515, 'pairing ends with 515 restartRequired');
      const client = fixture.connect(auth);
      await client.waitForOpen();
      return { client, link, auth };
    },
    async close() {
      await Promise.all(clients.map((c) => c.end()));
      await sim.stop();
      trust.restore();
    },
  };
  return fixture;
}

/** Status of our own sent message: from messages.update or folded into the upsert. */
export function statusOf(client: TestClient, id: string): number {
  let status = 0;
  for (const u of client.events['messages.upsert'] ?? []) {
    for (const m of u.messages) if (m.key.id === id && typeof m.status === 'number') status = Math.max(status, m.status);
  }
  for (const batch of client.events['messages.update'] ?? []) {
    for (const u of batch) if (u.key.id === id && typeof u.update.status === 'number') status = Math.max(status, u.update.status);
  }
  return status;
}

export async function waitUntil(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
