import { api } from './http';
import type { TestApp } from './test-app';
import { waitFor } from './wait';

/**
 * The objects most specs start from, made through the public API of a running test app
 * (so they are exactly what a client would get), instead of a setup block per spec.
 */

/** A new, unlinked session; returns its id. `body` is the POST /api/sessions body. */
export async function createSession(t: TestApp, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api(t).post('/api/sessions').send(body).expect(201);
  return res.body.session.sessionId as string;
}

/** A sandbox session linked to `phone` (READY once the call returns); returns its id and mobid. */
export async function linkedSession(t: TestApp, phone: string, body: Record<string, unknown> = {}): Promise<{ id: string; mobid: string }> {
  const id = await createSession(t, body);
  const linked = await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: phone }).expect(200);
  return { id, mobid: linked.body.session.mobid };
}

/** Queues a text (202) and returns the accepted message. */
export async function sendText(t: TestApp, sessionId: string, to: string, text: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const res = await api(t).post('/api/messages/send').send({ sessionId, to, type: 'text', text, ...extra }).expect(202);
  return res.body.message as Message;
}

/** A message as GET /api/messages/:id shows it. */
export async function getMessage(t: TestApp, id: string): Promise<Message> {
  return (await api(t).get(`/api/messages/${id}`).expect(200)).body.message as Message;
}

/** Waits until a message has `status` and returns it. */
export function messageWithStatus(t: TestApp, id: string, status: string, timeout = 15_000): Promise<Message> {
  return waitFor(
    async () => {
      const m = await getMessage(t, id);
      return m.status === status ? m : null;
    },
    { timeout, what: `message ${id} ${status}` },
  );
}

/** A webhook subscription (201); returns it, secret included. */
export async function createWebhook(t: TestApp, body: { url: string; events?: string[]; sessionId?: string; [k: string]: unknown }): Promise<Record<string, any>> {
  return (await api(t).post('/api/webhooks').send(body).expect(201)).body.webhook;
}

/** An API token (201): bound to a session or a workspace, or an admin token; returns the secret. */
export async function createToken(
  t: TestApp,
  body: { name: string; sessionId?: string; workspace?: string; role?: 'admin' | 'api'; expiresIn?: string | number },
): Promise<string> {
  return (await api(t).post('/api/auth/tokens').send(body).expect(201)).body.token as string;
}

export type Message = { id: string; status: string; waMessageId: string; to: string; [k: string]: any };
