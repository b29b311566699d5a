import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { WhatsAppAPI } from 'whatsapp-api-js';

export interface CloudWebhookPost {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  /** What whatsapp-api-js' signature check and handler answered. */
  status: number;
}

/**
 * A CRM's webhook endpoint built on whatsapp-api-js exactly as its docs show: `get()` answers
 * Meta's verification handshake, `post()` checks `X-Hub-Signature-256` over the raw body (401
 * when it does not match) and calls `on.message` / `on.status`.
 */
export class CloudWebhookReceiver {
  readonly posts: CloudWebhookPost[] = [];
  readonly handshakes: Record<string, string>[] = [];
  readonly messages: any[] = [];
  readonly statuses: any[] = [];
  /** POSTs whose body contains `text` are answered 500 (before whatsapp-api-js sees them) `times` times. */
  failing: { text: string; times: number } | null = null;
  url = '';
  private server!: Server;
  readonly wa: WhatsAppAPI;

  constructor(appSecret: string, verifyToken: string) {
    this.wa = new WhatsAppAPI({ token: 'unused', appSecret, webhookVerifyToken: verifyToken, v: 'v21.0' });
    this.wa.on.message = (args) => void this.messages.push(args);
    this.wa.on.status = (args) => void this.statuses.push(args);
  }

  static async start(appSecret: string, verifyToken: string): Promise<CloudWebhookReceiver> {
    const receiver = new CloudWebhookReceiver(appSecret, verifyToken);
    receiver.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          const query = Object.fromEntries(url.searchParams);
          receiver.handshakes.push(query);
          try {
            const challenge = receiver.wa.get(query as never);
            res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(challenge));
          } catch (err) {
            res.writeHead((err as { httpStatus?: number }).httpStatus ?? 500).end();
          }
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        let status = 200;
        if (receiver.failing && receiver.failing.times > 0 && raw.includes(receiver.failing.text)) {
          receiver.failing.times--;
          status = 500;
        } else {
          try {
            await receiver.wa.post(JSON.parse(raw), raw, (req.headers['x-hub-signature-256'] as string | undefined) ?? '');
          } catch (err) {
            status = (err as { httpStatus?: number }).httpStatus ?? 500;
          }
        }
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        receiver.posts.push({ headers: req.headers, raw, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const address = receiver.server.address();
    receiver.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhook`;
    return receiver;
  }

  /** Accepted POSTs (signature valid, handled). */
  get accepted(): CloudWebhookPost[] {
    return this.posts.filter((p) => p.status === 200);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
