import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface EndpointPost {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** How a client's webhook route answers Meta's `GET ?hub.mode=subscribe&hub.challenge=&hub.verify_token=`. */
export type VerifyAnswer = (query: Record<string, string>) => { status: number; body: string };

/**
 * A CRM's webhook route as the CRM implements it: the verification GET answered the client's
 * way (`verify`), every POST recorded with its raw bytes and answered 200 (or `postStatus`).
 */
export class CrmEndpoint {
  readonly posts: EndpointPost[] = [];
  readonly verifications: Record<string, string>[] = [];
  url = '';
  postStatus: (post: EndpointPost) => number = () => 200;
  private server!: Server;

  private constructor(private readonly verify: VerifyAnswer) {}

  static async start(path: string, verify: VerifyAnswer): Promise<CrmEndpoint> {
    const endpoint = new CrmEndpoint(verify);
    endpoint.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          const query = Object.fromEntries(url.searchParams);
          endpoint.verifications.push(query);
          const answer = endpoint.verify(query);
          res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const post = { path: url.pathname, headers: req.headers, raw, body };
        endpoint.posts.push(post);
        res.writeHead(endpoint.postStatus(post)).end();
      });
    });
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    const address = endpoint.server.address();
    endpoint.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${path}`;
    return endpoint;
  }

  /** The `value` of every change posted so far, with the raw body it came in. */
  values(): Array<{ value: any; post: EndpointPost }> {
    return this.posts.flatMap((post) => (post.body?.entry ?? []).flatMap((e: any) => (e.changes ?? []).map((c: any) => ({ value: c.value, post }))));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
