/**
 * Who exists in the simulated WhatsApp: accounts (numbers linked to Baileys companions,
 * each with a primary phone at device 0) and contacts (other WhatsApp users, each one
 * phone with its own Signal identity). Every user has a phone number (PN) and a LID
 * (a stable 15-digit "linked identity" number; Baileys 7 addresses sessions by LID).
 */
import { randomInt } from 'node:crypto';
import { jidDecode } from '@whiskeysockets/baileys';
import { SignalParty, type PreKeyBundle } from './signal-party';
import { SimulatedPhone } from './simulated-phone';

export const PN_SERVER = 's.whatsapp.net';
export const LID_SERVER = 'lid';

/** A companion (Baileys socket) linked to an account, as the server remembers it. */
export interface LinkedDevice {
  id: number;
  keyIndex: number;
  /** creds.noiseKey.public — a login is accepted only with this Noise static key. */
  noisePublic: Buffer;
  identityPublic: Buffer;
  registrationId: number;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  /** One-time pre-keys uploaded with `<iq xmlns=encrypt type=set>`; each handed out once. */
  preKeys: Map<number, Buffer>;
  platform: string;
  linkedAt: string;
  /** The phone sent its initial history sync (once, after the first login). */
  historySynced?: boolean;
}

export interface LoginRefusal {
  /** `<failure reason=…>` code (401 loggedOut, 403 forbidden, 503, …) or close the socket. */
  reason: number | 'close';
}

export class Account {
  readonly phone = new SimulatedPhone();
  readonly devices = new Map<number, LinkedDevice>();
  private nextDeviceId = 1;
  refuseLogins?: LoginRefusal;
  /** The account's about (status) text, as usync `status` answers it; set with `<iq xmlns=status>`. */
  about = 'Hey there! I am using WhatsApp.';
  aboutSetAt = Math.floor(Date.now() / 1000);

  constructor(
    readonly phoneNumber: string,
    readonly lid: string,
  ) {}

  pnJid(device?: number): string {
    return device ? `${this.phoneNumber}:${device}@${PN_SERVER}` : `${this.phoneNumber}@${PN_SERVER}`;
  }

  lidJid(device?: number): string {
    return device ? `${this.lid}:${device}@${LID_SERVER}` : `${this.lid}@${LID_SERVER}`;
  }

  allocateDeviceId(): number {
    return this.nextDeviceId++;
  }

  /** Pre-key bundle of a linked device, built from what it uploaded. */
  takeDeviceBundle(deviceId: number): PreKeyBundle | undefined {
    const d = this.devices.get(deviceId);
    if (!d) return undefined;
    const first = d.preKeys.entries().next();
    let preKey: PreKeyBundle['preKey'];
    if (!first.done) {
      const [keyId, pub] = first.value;
      d.preKeys.delete(keyId);
      preKey = { keyId, public: pub };
    }
    return { registrationId: d.registrationId, identity: d.identityPublic, signedPreKey: d.signedPreKey, preKey };
  }
}

export interface ContactInfo {
  phoneNumber: string;
  lid: string;
  name: string;
  jid: string;
  lidJid: string;
}

export class Contact {
  readonly party = new SignalParty();

  constructor(
    readonly phoneNumber: string,
    readonly lid: string,
    readonly name: string,
  ) {}

  pnJid(): string {
    return `${this.phoneNumber}@${PN_SERVER}`;
  }

  lidJid(): string {
    return `${this.lid}@${LID_SERVER}`;
  }

  toJSON(): ContactInfo {
    return { phoneNumber: this.phoneNumber, lid: this.lid, name: this.name, jid: this.pnJid(), lidJid: this.lidJid() };
  }
}

export type Resolved =
  | { kind: 'account'; account: Account; device: number; addressing: 'pn' | 'lid' }
  | { kind: 'contact'; contact: Contact; device: number; addressing: 'pn' | 'lid' };

export function normalizePhone(input: string): string {
  const digits = String(input).replace(/[^0-9]/g, '');
  if (digits.length < 6 || digits.length > 15) throw new Error(`invalid phone number "${input}"`);
  return digits;
}

export class Directory {
  private readonly accountsByPhone = new Map<string, Account>();
  private readonly contactsByPhone = new Map<string, Contact>();
  private readonly byLid = new Map<string, Account | Contact>();

  accounts(): Account[] {
    return [...this.accountsByPhone.values()];
  }

  contacts(): Contact[] {
    return [...this.contactsByPhone.values()];
  }

  account(phoneNumber: string): Account | undefined {
    return this.accountsByPhone.get(phoneNumber);
  }

  contact(phoneNumber: string): Contact | undefined {
    return this.contactsByPhone.get(phoneNumber);
  }

  private usedNumber(n: string): boolean {
    return this.accountsByPhone.has(n) || this.contactsByPhone.has(n) || this.byLid.has(n);
  }

  /** A fresh US-style fictional number: 1 555 xxx xxxx. */
  newPhoneNumber(): string {
    for (;;) {
      const n = `1555${randomInt(0, 10_000_000).toString().padStart(7, '0')}`;
      if (!this.usedNumber(n)) return n;
    }
  }

  /** A fresh 15-digit LID user (WhatsApp LIDs look like 274204117184759). */
  private newLid(): string {
    for (;;) {
      const n = `${randomInt(1, 10)}${randomInt(0, 1e7).toString().padStart(7, '0')}${randomInt(0, 1e7).toString().padStart(7, '0')}`;
      if (!this.usedNumber(n)) return n;
    }
  }

  getOrCreateAccount(phoneNumber?: string): Account {
    const pn = phoneNumber ? normalizePhone(phoneNumber) : this.newPhoneNumber();
    const existing = this.accountsByPhone.get(pn);
    if (existing) return existing;
    if (this.contactsByPhone.has(pn)) throw new Error(`${pn} is already a contact, not an account`);
    const account = new Account(pn, this.newLid());
    this.accountsByPhone.set(pn, account);
    this.byLid.set(account.lid, account);
    return account;
  }

  addContact(phoneNumber?: string, name?: string): Contact {
    const pn = phoneNumber ? normalizePhone(phoneNumber) : this.newPhoneNumber();
    const existing = this.contactsByPhone.get(pn);
    if (existing) return existing;
    if (this.accountsByPhone.has(pn)) throw new Error(`${pn} is an account, not a contact`);
    const contact = new Contact(pn, this.newLid(), name || `Contact ${pn.slice(-4)}`);
    this.contactsByPhone.set(pn, contact);
    this.byLid.set(contact.lid, contact);
    return contact;
  }

  /** Resolve a user or device jid (`PN[:dev]@s.whatsapp.net` or `LID[:dev]@lid`). */
  resolve(jid: string): Resolved | undefined {
    const decoded = jidDecode(jid);
    if (!decoded?.user) return undefined;
    const device = decoded.device ?? 0;
    let target: Account | Contact | undefined;
    let addressing: 'pn' | 'lid';
    if (decoded.server === PN_SERVER) {
      target = this.accountsByPhone.get(decoded.user) ?? this.contactsByPhone.get(decoded.user);
      addressing = 'pn';
    } else if (decoded.server === LID_SERVER) {
      target = this.byLid.get(decoded.user);
      addressing = 'lid';
    } else {
      return undefined;
    }
    if (!target) return undefined;
    return target instanceof Account
      ? { kind: 'account', account: target, device, addressing }
      : { kind: 'contact', contact: target, device, addressing };
  }
}
