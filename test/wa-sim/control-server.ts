/**
 * HTTP/JSON control API of the simulator (plain node:http), for driving it from another
 * process (e.g. an e2e test against a separately started gateway). Mirrors the in-process
 * WaSimulator methods; see README.md for the route list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContactContent } from './message-relay';
import type { ReceiptType } from './message-log';
import { ControlError } from './control-error';
import type { WaSimulator } from './wa-simulator';

const MAX_BODY = 32 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ControlError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ControlError(400, 'body must be a JSON object');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body, (key, value) => (key === 'message' && value && typeof value === 'object' ? undefined : value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function str(body: Record<string, unknown>, key: string, required = true): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new ControlError(400, `"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new ControlError(400, `"${key}" must be a string`);
  return String(v);
}

function b64(body: Record<string, unknown>, key: string): Buffer | undefined {
  const v = str(body, key, false);
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

/** Content of POST /contacts/:phone/send: text, or base64 media. */
function contactContent(body: Record<string, unknown>): ContactContent {
  const image = b64(body, 'imageBase64');
  const audio = b64(body, 'audioBase64');
  const document = b64(body, 'documentBase64');
  const mimetype = str(body, 'mimetype', false);
  const caption = str(body, 'caption', false);
  if (image) return { image, mimetype, caption };
  if (audio) {
    return { audio, mimetype, ptt: body.ptt === undefined ? true : !!body.ptt, seconds: body.seconds === undefined ? undefined : Number(body.seconds) };
  }
  if (document) return { document, mimetype, caption, fileName: str(body, 'fileName', false) };
  return { text: str(body, 'text')! };
}

export async function handleControlRequest(sim: WaSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const route = `${method} /${parts.map((p, i) => (i > 0 && (parts[0] === 'accounts' || parts[0] === 'contacts' || parts[0] === 'messages') && i === 1 ? ':id' : p)).join('/')}`;

    switch (route) {
      case 'GET /':
      case 'GET /info':
        return send(res, 200, { ...sim.info, accounts: sim.accounts().length, contacts: sim.contacts().length });
      case 'GET /trust':
        return send(res, 200, { rootPublicKey: sim.rootPublicKey, mediaCaPem: sim.mediaCaPem });
      case 'POST /scan': {
        const body = await readJson(req);
        return send(res, 200, await sim.scan(str(body, 'qr')!, str(body, 'phoneNumber', false)));
      }
      case 'POST /pair': {
        const body = await readJson(req);
        return send(res, 200, await sim.pair(str(body, 'pairingCode')!, str(body, 'phoneNumber')!));
      }
      case 'GET /contacts':
        return send(res, 200, sim.contacts());
      case 'POST /contacts': {
        const body = await readJson(req);
        return send(res, 201, sim.addContact(str(body, 'phoneNumber', false), str(body, 'name', false)));
      }
      case 'POST /contacts/:id/send': {
        const body = await readJson(req);
        const addressing = str(body, 'addressing', false);
        if (addressing && addressing !== 'pn' && addressing !== 'lid') throw new ControlError(400, 'addressing must be pn or lid');
        return send(
          res,
          200,
          await sim.contactSend(parts[1], str(body, 'to')!, contactContent(body), {
            addressing: addressing as 'pn' | 'lid' | undefined,
            id: str(body, 'id', false),
          }),
        );
      }
      case 'POST /receipts': {
        const body = await readJson(req);
        const type = (str(body, 'type', false) ?? 'delivery') as ReceiptType;
        sim.receipt(str(body, 'id')!, type);
        return send(res, 200, { ok: true });
      }
      case 'POST /retry-receipts': {
        const body = await readJson(req);
        if (body.count !== undefined && !(Number.isInteger(body.count) && (body.count as number) > 0)) throw new ControlError(400, '"count" must be a positive integer');
        sim.retryReceipt(str(body, 'id')!, (body.count as number | undefined) ?? 1);
        return send(res, 200, { ok: true });
      }
      case 'POST /auto-receipts': {
        const body = await readJson(req);
        for (const k of ['delivery', 'read']) {
          if (body[k] !== undefined && typeof body[k] !== 'boolean') throw new ControlError(400, `"${k}" must be a boolean`);
        }
        return send(res, 200, sim.setAutoReceipts(body as { delivery?: boolean; read?: boolean }));
      }
      case 'GET /accounts':
        return send(res, 200, sim.accounts());
      case 'GET /accounts/:id': {
        const account = sim.accounts().find((a) => a.phoneNumber === parts[1].replace(/[^0-9]/g, ''));
        if (!account) throw new ControlError(404, `no account ${parts[1]}`);
        return send(res, 200, account);
      }
      case 'POST /accounts/:id/unlink':
        return send(res, 200, sim.unlink(parts[1]));
      case 'POST /accounts/:id/replace':
        return send(res, 200, sim.replace(parts[1]));
      case 'POST /accounts/:id/drop':
        return send(res, 200, sim.drop(parts[1]));
      case 'POST /accounts/:id/refuse-logins': {
        const body = await readJson(req);
        if (typeof body.refuse !== 'boolean') throw new ControlError(400, '"refuse" must be a boolean');
        const reason = body.reason === 'close' ? 'close' : body.reason === undefined ? 403 : Number(body.reason);
        if (reason !== 'close' && !(Number.isInteger(reason) && reason >= 400 && reason < 600)) {
          throw new ControlError(400, '"reason" must be an HTTP-like code (e.g. 401, 403) or "close"');
        }
        sim.refuseLogins(parts[1], body.refuse, reason);
        return send(res, 200, { ok: true });
      }
      case 'GET /messages': {
        const direction = url.searchParams.get('direction') ?? undefined;
        return send(
          res,
          200,
          sim.messages({
            from: url.searchParams.get('from') ?? undefined,
            to: url.searchParams.get('to') ?? undefined,
            direction: direction === 'in' || direction === 'out' ? direction : undefined,
          }),
        );
      }
      case 'GET /messages/:id': {
        const m = sim.message(parts[1]);
        if (!m) throw new ControlError(404, `no message ${parts[1]}`);
        return send(res, 200, m);
      }
      case 'GET /messages/:id/media': {
        const bytes = sim.mediaBytes(parts[1]);
        if (!bytes) throw new ControlError(404, `no decrypted media for ${parts[1]}`);
        res.writeHead(200, { 'content-type': sim.message(parts[1])?.mimetype ?? 'application/octet-stream', 'content-length': bytes.length });
        return void res.end(bytes);
      }
      case 'GET /handshakes':
        return send(res, 200, sim.handshakeStats());
      case 'DELETE /handshakes':
        sim.resetHandshakeStats();
        return send(res, 200, { ok: true });
      case 'GET /errors':
        return send(res, 200, sim.errorList());
      case 'DELETE /errors':
        sim.clearErrors();
        return send(res, 200, { ok: true });
      default:
        throw new ControlError(404, `no route ${method} ${url.pathname}`);
    }
  } catch (err) {
    if (err instanceof ControlError) return send(res, err.status, { error: err.message });
    const message = err instanceof Error ? err.message : String(err);
    return send(res, /invalid phone|already a|is an account|not a contact/.test(message) ? 400 : 500, { error: message });
  }
}
