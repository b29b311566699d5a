/**
 * WaSimulator: a loopback WhatsApp multi-device server plus the phones around it, for
 * driving the real Baileys library in tests. See README.md for the protocol map.
 *
 *   const sim = new WaSimulator(); await sim.start();
 *   trustSimulator({ rootPublicKey: sim.rootPublicKey, mediaCaPem: sim.mediaCaPem });
 *   makeWASocket({ waWebSocketUrl: sim.url, ... })
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { proto } from '@whiskeysockets/baileys';
import { WebSocketServer } from 'ws';
import { Directory, normalizePhone, type Account, type ContactInfo, type Resolved } from './account-store';
import { SERVER_JID, unixSeconds } from './binary-node';
import { ControlError } from './control-error';
import { handleControlRequest } from './control-server';
import { DeviceConnection } from './device-connection';
import { ErrorLog, type SimError } from './error-log';
import { registerIqHandlers, type ConnContext } from './iq-handlers';
import { Linker, type LinkResult } from './linking';
import { MediaHost } from './media-host';
import { MessageRelay, type ContactContent, type ContactSendOptions } from './message-relay';
import { MessageLog, type ReceiptType, type SimMessage } from './message-log';
import { makeNoiseIdentity, type CurveKeyPair, type NoiseIdentity } from './noise-cert';
import { StanzaRouter } from './stanza-router';

export interface WaSimulatorOptions {
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** Port of the WebSocket + control HTTP server (default 0 = random). */
  port?: number;
  /** Port of the HTTPS media host (default 0 = random). */
  mediaPort?: number;
  /** Reuse a root key pair (e.g. to keep trust across restarts); generated otherwise. */
  rootKeyPair?: CurveKeyPair;
  /** Print recorded errors to stderr (default true). */
  logErrors?: boolean;
  /** Receipts contacts send by themselves (default: delivery on, read off). */
  autoReceipts?: { delivery?: boolean; read?: boolean };
  /**
   * Delay before automatic receipts (default 150 ms). Baileys holds the sent message's own
   * `messages.upsert` (type append) in its event buffer for ~100 ms
   * (createBufferedFunction, lib/Utils/event-buffer.js); a receipt arriving inside that
   * window is folded into the upsert as `status` and no messages.update fires. A phone
   * takes longer than that, so the default exercises the messages.update path.
   */
  autoReceiptDelayMs?: number;
  /** Treat every unknown phone number as an existing WhatsApp user (default false). */
  autoCreateContacts?: boolean;
  /**
   * After a companion's first login the phone sends an (empty) initial history sync, so
   * Baileys' default config does not wait 20 s for one (default true).
   */
  historySync?: boolean;
  /** QR refs sent in `pair-device` (Baileys emits one QR per ref; default 6). */
  qrRefCount?: number;
  /**
   * How long the server thinks before answering a handshake's login or registration (default
   * 0): the round trips of a real network, which make a handshake last and many overlap.
   */
  handshakeDelayMs?: number;
}

export { ControlError } from './control-error';
export type { LinkResult } from './linking';

export interface SimulatorEndpoints {
  url: string;
  rootPublicKey: string;
  controlUrl: string;
  mediaUrl: string;
  mediaCaPem: string;
}

export interface AccountInfo {
  phoneNumber: string;
  lid: string;
  jid: string;
  lidJid: string;
  devices: Array<{ id: number; jid: string; lidJid: string; platform: string; online: boolean; linkedAt: string; preKeys: number }>;
  connectedDevices: number[];
  refuseLogins: false | { reason: number | 'close' };
  sockets: SocketStats;
}

/**
 * How many logged-in sockets an account has had: `online` now, `logins` in all, `overlaps` the
 * logins that found the same device already online (WhatsApp replaces the older one, 440), and
 * `peak` the most sockets of one device online at once (counting the one logging in).
 */
export interface SocketStats {
  online: number;
  logins: number;
  overlaps: number;
  peak: number;
}

/**
 * Handshakes as the server sees them: a socket is in its handshake from the WebSocket upgrade
 * until its login succeeded (`<success>` sent), its registration began (QR), it was refused,
 * or it closed. `peakInFlight` is the most at once, `peakPerSecond` the most begun in one
 * wall-clock second, both since the start or the last `resetHandshakeStats()`.
 */
export interface HandshakeStats {
  inFlight: number;
  peakInFlight: number;
  started: number;
  completed: number;
  peakPerSecond: number;
}

const ALLOWED_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export class WaSimulator {
  readonly directory = new Directory();
  readonly errors: ErrorLog;
  readonly messageLog = new MessageLog();
  readonly media: MediaHost;
  readonly autoReceipts: { delivery: boolean; read: boolean };
  private readonly noise: NoiseIdentity;
  private readonly router: StanzaRouter<ConnContext>;
  private readonly relay: MessageRelay;
  private readonly connections = new Set<DeviceConnection>();
  /** Raw upgraded sockets, destroyed on stop() so no half-closed socket keeps a test alive. */
  private readonly sockets = new Set<Duplex>();
  private readonly linker: Linker;
  private readonly onlineWaiters = new Set<(stopped?: boolean) => void>();
  /** Per account phone number: logins, overlapping logins and the peak of simultaneous sockets. */
  private readonly socketCounts = new Map<string, Omit<SocketStats, 'online'>>();
  /** Connections in their handshake (HandshakeStats). */
  private readonly handshaking = new Set<DeviceConnection>();
  private handshakeCounts = { peakInFlight: 0, started: 0, completed: 0, peakPerSecond: 0, second: 0, inSecond: 0 };
  private server?: Server;
  private wss?: WebSocketServer;
  private endpoints?: SimulatorEndpoints;

  constructor(private readonly options: WaSimulatorOptions = {}) {
    const host = options.host ?? '127.0.0.1';
    if (!ALLOWED_HOSTS.has(host)) throw new Error(`wa-sim binds loopback only (got ${host})`);
    this.errors = new ErrorLog(options.logErrors ?? true);
    this.media = new MediaHost(host === 'localhost' ? '127.0.0.1' : host);
    this.noise = makeNoiseIdentity(options.rootKeyPair);
    this.autoReceipts = { delivery: options.autoReceipts?.delivery ?? true, read: options.autoReceipts?.read ?? false };

    this.linker = new Linker(
      { directory: this.directory, errors: this.errors, connections: () => [...this.connections] },
      options.qrRefCount ?? 6,
    );
    this.router = new StanzaRouter<ConnContext>(this.errors);
    registerIqHandlers(this.router, {
      directory: this.directory,
      errors: this.errors,
      mediaHostname: () => this.media.hostname,
      lookupPhone: (phone) => this.lookupPhone(phone),
      forgetDevice: (account, deviceId) => this.forgetDevice(account, deviceId),
      onLinkCodeCompanionReg: (conn, iq) => this.linker.onLinkCodeCompanionReg(conn, iq),
    });
    this.relay = new MessageRelay({
      directory: this.directory,
      errors: this.errors,
      messages: this.messageLog,
      media: this.media,
      onlineConnections: (account, deviceId) => this.onlineConnections(account, deviceId),
      autoReceipts: this.autoReceipts,
      autoReceiptDelayMs: options.autoReceiptDelayMs ?? 150,
    });
    this.relay.register(this.router);
    // Stanzas that need no answer.
    // sendPresenceUpdate / creds name change (lib/Socket/chats.js, socket.js).
    this.router.on({ tag: 'presence' }, () => undefined);
    // sendPresenceUpdate('composing'|…, jid).
    this.router.on({ tag: 'chatstate' }, () => undefined);
    // sendUnifiedSession telemetry (lib/Socket/socket.js).
    this.router.on({ tag: 'ib', child: 'unified_session' }, () => undefined);
  }

  // ---- lifecycle ---------------------------------------------------------------------

  async start(opts: { port?: number; host?: string; mediaPort?: number } = {}): Promise<SimulatorEndpoints> {
    if (this.server) throw new Error('simulator already started');
    const host = opts.host ?? this.options.host ?? '127.0.0.1';
    if (!ALLOWED_HOSTS.has(host)) throw new Error(`wa-sim binds loopback only (got ${host})`);
    await this.media.start(opts.mediaPort ?? this.options.mediaPort ?? 0);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
    this.server = createServer((req, res) => {
      handleControlRequest(this, req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err?.message ?? err) }));
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/ws/chat') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        const conn = new DeviceConnection(ws, this.noise, {
          onHandshake: (c, payload, clientStatic) => {
            const delay = this.options.handshakeDelayMs ?? 0;
            if (!delay) return this.onHandshake(c, payload, clientStatic);
            setTimeout(() => !c.closed && this.onHandshake(c, payload, clientStatic), delay).unref();
          },
          onNode: (c, node) => void this.router.dispatch(node, { conn: c, reply: (n) => c.send(n), deviceLabel: c.label }),
          onClose: (c) => {
            this.handshakeDone(c, false);
            this.connections.delete(c);
            if (c.account && c.deviceId !== undefined && !this.onlineConnections(c.account, c.deviceId).length) {
              this.relay.connectionEnded(c.account, c.deviceId);
            }
          },
          onProtocolError: (c, error) => this.errors.record('protocol', error.message, { device: c.label }),
        });
        this.connections.add(conn);
        this.handshakeBegun(conn);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(opts.port ?? this.options.port ?? 0, host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    const h = host.includes(':') ? `[${host}]` : host;
    this.endpoints = {
      url: `ws://${h}:${port}/ws/chat`,
      rootPublicKey: this.rootPublicKey,
      controlUrl: `http://${h}:${port}`,
      mediaUrl: this.media.url,
      mediaCaPem: this.media.tls.caPem,
    };
    return this.endpoints;
  }

  async stop(): Promise<void> {
    for (const conn of this.connections) conn.drop();
    this.connections.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.messageLog.cancelWaiters();
    for (const w of [...this.onlineWaiters]) w(true);
    const server = this.server;
    this.server = undefined;
    this.wss?.close();
    this.wss = undefined;
    if (server) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.media.stop();
  }

  private get ready(): SimulatorEndpoints {
    if (!this.endpoints) throw new Error('simulator not started');
    return this.endpoints;
  }

  /** `waWebSocketUrl` for makeWASocket. */
  get url(): string {
    return this.ready.url;
  }
  get controlUrl(): string {
    return this.ready.controlUrl;
  }
  get mediaUrl(): string {
    return this.ready.mediaUrl;
  }
  /** Hex of the root public key to put in WA_CERT_DETAILS.PUBLIC_KEY. */
  get rootPublicKey(): string {
    return this.noise.root.public.toString('hex');
  }
  /** PEM of the CA that issued the media host certificate. */
  get mediaCaPem(): string {
    return this.media.tls.caPem;
  }
  get info(): SimulatorEndpoints {
    return this.ready;
  }

  // ---- connections --------------------------------------------------------------------

  onlineConnections(account: Account, deviceId?: number): DeviceConnection[] {
    return [...this.connections].filter(
      (c) => c.isOnline && c.account === account && (deviceId === undefined || c.deviceId === deviceId),
    );
  }

  private handshakeBegun(conn: DeviceConnection): void {
    const c = this.handshakeCounts;
    this.handshaking.add(conn);
    c.started += 1;
    c.peakInFlight = Math.max(c.peakInFlight, this.handshaking.size);
    const second = Math.floor(Date.now() / 1000);
    if (second !== c.second) {
      c.second = second;
      c.inSecond = 0;
    }
    c.inSecond += 1;
    c.peakPerSecond = Math.max(c.peakPerSecond, c.inSecond);
  }

  private handshakeDone(conn: DeviceConnection, completed: boolean): void {
    if (!this.handshaking.delete(conn)) return;
    if (completed) this.handshakeCounts.completed += 1;
  }

  /** How many handshakes are in flight now, and the peaks since the start or the last reset. */
  handshakeStats(): HandshakeStats {
    const { peakInFlight, started, completed, peakPerSecond } = this.handshakeCounts;
    return { inFlight: this.handshaking.size, peakInFlight, started, completed, peakPerSecond };
  }

  /** Starts the counts and peaks of handshakeStats() again from the handshakes in flight now. */
  resetHandshakeStats(): void {
    this.handshakeCounts = { peakInFlight: this.handshaking.size, started: 0, completed: 0, peakPerSecond: 0, second: 0, inSecond: 0 };
  }

  private onHandshake(conn: DeviceConnection, payload: proto.ClientPayload, clientStatic: Buffer): void {
    // Logged in, registering or refused below: the handshake is over either way.
    this.handshakeDone(conn, true);
    try {
      if (payload.devicePairingData) this.linker.startRegistration(conn, payload, clientStatic);
      else this.login(conn, payload, clientStatic);
    } catch (err) {
      this.errors.record('protocol', `handshake payload rejected: ${(err as Error).message}`, { device: conn.label });
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '400', location: 'sim' } });
    }
  }

  /**
   * A linked device logging in (generateLoginNode: username + device). The server knows
   * it by the Noise static key it registered with; anything else is 401 (loggedOut).
   */
  private login(conn: DeviceConnection, payload: proto.ClientPayload, clientStatic: Buffer): void {
    const username = payload.username != null ? String(payload.username) : '';
    const deviceId = payload.device ?? 0;
    const account = this.directory.account(username);
    const device = account?.devices.get(deviceId);
    if (!account || !device || !device.noisePublic.equals(clientStatic)) {
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
      return;
    }
    if (account.refuseLogins) {
      const { reason } = account.refuseLogins;
      if (reason === 'close') conn.close();
      else conn.sendAndClose({ tag: 'failure', attrs: { reason: String(reason), location: 'sim' } });
      return;
    }
    const alreadyOnline = this.onlineConnections(account, deviceId);
    const counts = this.socketCounts.get(account.phoneNumber) ?? { logins: 0, overlaps: 0, peak: 0 };
    counts.logins += 1;
    if (alreadyOnline.length) counts.overlaps += 1;
    counts.peak = Math.max(counts.peak, alreadyOnline.length + 1);
    this.socketCounts.set(account.phoneNumber, counts);
    // A second login of the same device replaces the first (→ 440 connectionReplaced there).
    for (const old of alreadyOnline) {
      old.sendAndClose({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
    }
    conn.account = account;
    conn.deviceId = deviceId;
    // CB:success (lib/Socket/socket.js): `lid` becomes creds.me.lid; then pre-key count/upload,
    // passive, digest and `connection: 'open'`.
    conn.send({
      tag: 'success',
      attrs: {
        t: unixSeconds(),
        props: '1',
        creation: Math.floor(Date.parse(device.linkedAt) / 1000).toString(),
        location: 'sim',
        lid: account.lidJid(deviceId),
      },
    });
    void this.relay
      .flushOffline(account, deviceId, conn)
      .catch((err) => {
        this.errors.record('handler-failed', `offline delivery failed: ${(err as Error).message}`, { device: conn.label });
        return 0;
      })
      .then(async (count) => {
        // CB:ib,,offline: without it Baileys keeps events buffered (lib/Socket/socket.js).
        conn.send({ tag: 'ib', attrs: { from: SERVER_JID }, content: [{ tag: 'offline', attrs: { count: String(count) } }] });
        if (!device.historySynced && (this.options.historySync ?? true)) {
          device.historySynced = true;
          await this.relay.sendInitialHistorySync(account, deviceId, conn).catch((err) => {
            this.errors.record('handler-failed', `history sync failed: ${(err as Error).message}`, { device: conn.label });
          });
        }
        for (const w of [...this.onlineWaiters]) w();
      });
  }

  private lookupPhone(phone: string): Resolved | undefined {
    const r = this.directory.resolve(`${phone}@s.whatsapp.net`);
    if (r || !this.options.autoCreateContacts) return r;
    try {
      this.directory.addContact(phone);
    } catch {
      return undefined;
    }
    return this.directory.resolve(`${phone}@s.whatsapp.net`);
  }

  private forgetDevice(account: Account, deviceId: number): void {
    account.devices.delete(deviceId);
    this.relay.forgetDevice(account, deviceId);
  }

  // ---- linking (see linking.ts) -------------------------------------------------------

  /** The phone scans a QR shown by Baileys; resolves after pair-success and the 515. */
  scan(qr: string, phoneNumber?: string): Promise<LinkResult> {
    return this.linker.scan(qr, phoneNumber);
  }

  /** The user types the code from `requestPairingCode(phone)` on the phone of `phoneNumber`. */
  pair(pairingCode: string, phoneNumber: string): Promise<LinkResult> {
    return this.linker.pair(pairingCode, phoneNumber);
  }

  // ---- phone-side account operations ------------------------------------------------

  private requireAccount(phoneNumber: string): Account {
    const account = this.directory.account(normalizePhone(phoneNumber));
    if (!account) throw new ControlError(404, `no account ${phoneNumber}`);
    return account;
  }

  /**
   * "Log out this device" on the phone: `<stream:error code="401"><conflict
   * type="device_removed"/>` (code 401 → DisconnectReason.loggedOut via
   * getErrorCodeFromStreamError), and the devices are forgotten so later logins get 401.
   */
  unlink(phoneNumber: string): { unlinked: number[] } {
    const account = this.requireAccount(phoneNumber);
    for (const conn of this.onlineConnections(account)) {
      conn.sendAndClose({ tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] });
    }
    const ids = [...account.devices.keys()];
    for (const id of ids) this.forgetDevice(account, id);
    return { unlinked: ids };
  }

  /** Another client took over the session: `<stream:error><conflict type="replaced"/>` → 440. */
  replace(phoneNumber: string): { replaced: number } {
    const account = this.requireAccount(phoneNumber);
    const conns = this.onlineConnections(account);
    for (const conn of conns) {
      conn.sendAndClose({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
    }
    return { replaced: conns.length };
  }

  /** Network drop: TCP sockets destroyed, Baileys sees a plain close (428). */
  drop(phoneNumber: string): { dropped: number } {
    const account = this.requireAccount(phoneNumber);
    const conns = this.onlineConnections(account);
    for (const conn of conns) conn.drop();
    return { dropped: conns.length };
  }

  /** Refuse (or allow again) logins: `<failure reason=…>` (default 403) or a bare close. */
  refuseLogins(phoneNumber: string, refuse: boolean, reason: number | 'close' = 403): void {
    const account = this.requireAccount(phoneNumber);
    account.refuseLogins = refuse ? { reason } : undefined;
  }

  /** Resolves when the account (optionally a given device) has a logged-in connection. */
  waitForOnline(phoneNumber: string, timeoutMs = 5000, deviceId?: number): Promise<void> {
    const check = () => {
      const account = this.directory.account(normalizePhone(phoneNumber));
      return !!account && this.onlineConnections(account, deviceId).length > 0;
    };
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onlineWaiters.delete(waiter);
        reject(new Error(`wa-sim: ${phoneNumber} not online within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (stopped?: boolean) => {
        if (stopped) {
          clearTimeout(timer);
          this.onlineWaiters.delete(waiter);
          return reject(new Error('wa-sim stopped'));
        }
        if (!check()) return;
        clearTimeout(timer);
        this.onlineWaiters.delete(waiter);
        resolve();
      };
      this.onlineWaiters.add(waiter);
    });
  }

  /** The account's socket counts (SocketStats): what a test asserts "never two sockets at once" with. */
  socketStats(phoneNumber: string): SocketStats {
    const phone = normalizePhone(phoneNumber);
    const account = this.directory.account(phone);
    const counts = this.socketCounts.get(phone) ?? { logins: 0, overlaps: 0, peak: 0 };
    return { online: account ? this.onlineConnections(account).length : 0, ...counts };
  }

  accounts(): AccountInfo[] {
    return this.directory.accounts().map((a) => {
      const online = new Set(this.onlineConnections(a).map((c) => c.deviceId!));
      return {
        phoneNumber: a.phoneNumber,
        lid: a.lid,
        jid: a.pnJid(),
        lidJid: a.lidJid(),
        devices: [...a.devices.values()].map((d) => ({
          id: d.id,
          jid: a.pnJid(d.id),
          lidJid: a.lidJid(d.id),
          platform: d.platform,
          online: online.has(d.id),
          linkedAt: d.linkedAt,
          preKeys: d.preKeys.size,
        })),
        connectedDevices: [...online],
        refuseLogins: a.refuseLogins ?? false,
        sockets: this.socketStats(a.phoneNumber),
      };
    });
  }

  // ---- contacts ------------------------------------------------------------------------

  addContact(phoneNumber?: string, name?: string): ContactInfo {
    try {
      return this.directory.addContact(phoneNumber, name).toJSON();
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
  }

  contacts(): ContactInfo[] {
    return this.directory.contacts().map((c) => c.toJSON());
  }

  /** A contact sends a Signal-encrypted message to every linked device of an account. */
  async contactSend(contactPhone: string, toAccountPhone: string, content: ContactContent, opts?: ContactSendOptions): Promise<{ id: string }> {
    const contact = this.directory.contact(normalizePhone(contactPhone));
    if (!contact) throw new ControlError(404, `no contact ${contactPhone}`);
    const account = this.requireAccount(toAccountPhone);
    if (account.devices.size === 0) throw new ControlError(409, `${account.phoneNumber} has no linked device`);
    const record = await this.relay.contactSend(contact, account, content, opts);
    return { id: record.id };
  }

  /** The contact that received message `id` sends a delivery/read/played receipt. */
  receipt(id: string, type: ReceiptType): void {
    const record = this.messageLog.get(id);
    if (!record || record.direction !== 'out') throw new ControlError(404, `no message ${id} sent by an account`);
    if (!['delivery', 'read', 'played'].includes(type)) throw new ControlError(400, `bad receipt type ${type}`);
    this.relay.sendReceiptToAccount(record, type);
  }

  /**
   * The contact that received message `id` could not decrypt it and sends a retry receipt
   * to the sending device, which should re-send the same message (same id) to it.
   */
  retryReceipt(id: string, count = 1): void {
    const record = this.messageLog.get(id);
    if (!record || record.direction !== 'out') throw new ControlError(404, `no message ${id} sent by an account`);
    try {
      this.relay.sendRetryReceiptToAccount(record, count);
    } catch (err) {
      throw new ControlError(409, (err as Error).message);
    }
  }

  setAutoReceipts(opts: { delivery?: boolean; read?: boolean }): { delivery: boolean; read: boolean } {
    if (typeof opts.delivery === 'boolean') this.autoReceipts.delivery = opts.delivery;
    if (typeof opts.read === 'boolean') this.autoReceipts.read = opts.read;
    return { ...this.autoReceipts };
  }

  // ---- observation -----------------------------------------------------------------------

  messages(filter: { from?: string; to?: string; direction?: 'in' | 'out' } = {}): SimMessage[] {
    return this.messageLog.list(filter);
  }

  message(id: string): SimMessage | undefined {
    return this.messageLog.get(id);
  }

  /** Decrypted bytes of media a contact received in message `id`. */
  mediaBytes(id: string): Buffer | undefined {
    return this.messageLog.getMediaBytes(id);
  }

  waitForMessage(predicate: (m: SimMessage) => boolean, timeoutMs = 5000): Promise<SimMessage> {
    return this.messageLog.waitFor(predicate, timeoutMs);
  }

  countMessages(filter: { from?: string; to?: string; direction?: 'in' | 'out' } = {}): number {
    return this.messageLog.count(filter);
  }

  errorList(): SimError[] {
    return this.errors.list();
  }

  clearErrors(): void {
    this.errors.clear();
  }

  /** Throws listing every recorded error (use at the end of each test). */
  assertNoErrors(): void {
    const list = this.errors.list();
    if (list.length) {
      throw new Error(`wa-sim recorded ${list.length} error(s):\n${list.map((e) => `  ${e.kind}: ${e.stanza ?? ''} ${e.message}`).join('\n')}`);
    }
  }
}
