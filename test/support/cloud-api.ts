import assert from 'node:assert/strict';
import { SessionRegistry } from '../../src/sessions/session-registry';
import type { OutgoingMessage } from '../../src/whatsapp/engine/outgoing-message';
import { isSandboxControl, type SandboxControl, type WhatsAppEngine } from '../../src/whatsapp/engine/whatsapp-engine.port';
import { decodeWamid } from '../../src/cloud-api/wamid';
import { linkedSession } from './factories';
import { api, eventually } from './http';
import type { TestApp } from './test-app';

/** A READY sandbox session linked to `phone`; returns its id and mobid. */
export const linkedSandboxSession = (t: TestApp, phone: string) => linkedSession(t, phone);

export function sandboxOf(t: TestApp, sessionId: string): WhatsAppEngine & SandboxControl {
  const engine = t.app.get(SessionRegistry).readyEngine(sessionId);
  assert.ok(engine && isSandboxControl(engine), `session ${sessionId} is not a ready sandbox`);
  return engine;
}

/** What the sandbox sent for a facade send, by the wamid the facade answered. */
export function sentByWamid(t: TestApp, sessionId: string, wamid: string): Promise<OutgoingMessage> {
  const key = decodeWamid(wamid);
  assert.ok(key, `not a wamid: ${wamid}`);
  return eventually(async () => sandboxOf(t, sessionId).outbox().find((m) => m.id === key.id), 5_000);
}

/** An inbound text from `from`, stored by the inbound pipeline; resolves to its stored message. */
export async function receiveText(t: TestApp, sessionId: string, from: string, text: string): Promise<{ waMessageId: string; chatJid: string }> {
  const { body } = await api(t).post(`/api/sessions/${sessionId}/sandbox/inbound`).send({ from, text }).expect(202);
  const waMessageId: string = body.message.id;
  return eventually(async () => {
    const res = await api(t).get(`/api/messages?sessionId=${sessionId}&direction=inbound`).expect(200);
    const m = res.body.messages.find((x: { waMessageId: string }) => x.waMessageId === waMessageId);
    return m ? { waMessageId, chatJid: m.chat as string } : null;
  });
}
