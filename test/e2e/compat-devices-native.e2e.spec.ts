import assert from 'node:assert/strict';
import { after, before, describe, it } from '../support/node-test';
import { api } from '../support/http';
import { createSession, linkedSession } from '../support/factories';
import { mediaFixtures, serveFiles, type FileServer } from '../support/media-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { AppError } from '../../src/common/errors/app-error';
import { MediaService } from '../../src/media/media.service';
import { SessionResolver } from '../../src/sessions/session-resolver';
import { SessionsService } from '../../src/sessions/sessions.service';
import { Principal } from '../../src/auth/principal';

/**
 * The native service methods the device-token gateway API added, on the real app and database:
 * SessionsService.setLinkMethod, SessionsService.list(…, only) and MediaService.uploadFromUrl.
 */
describe('Native additions for the device-token gateway API', () => {
  let t: TestApp;
  let files: FileServer;
  let sessions: SessionsService;
  let resolver: SessionResolver;

  before(async () => {
    const fx = await mediaFixtures();
    files = await serveFiles({ 'photo.png': fx.png, 'invoice.pdf': fx.pdf });
    t = await startTestApp({ env: { MEDIA_URL_ALLOWLIST: '127.0.0.1' } });
    sessions = t.app.get(SessionsService);
    resolver = t.app.get(SessionResolver);
  });
  after(async () => {
    await t?.destroy();
    await files?.close();
  });

  it('setLinkMethod switches an unlinked session to a pairing code and back to QR; never touches a linked one', async () => {
    const id = await createSession(t);
    const phone = await sessions.setLinkMethod(await resolver.getUncached(id), 'phone', '6281234567890');
    assert.deepEqual([phone.method, phone.pairingPhone], ['phone', '6281234567890']);
    const code = await sessions.qr(phone, 'json');
    assert.equal(code.kind === 'json' && code.body.method, 'phone');
    // Same method and number while running: nothing restarts, the code stays.
    const same = await sessions.setLinkMethod(phone, 'phone', '6281234567890');
    const again = await sessions.qr(same, 'json');
    assert.equal(again.kind === 'json' && again.body.pairingCode, code.kind === 'json' && code.body.pairingCode);

    const qr = await sessions.setLinkMethod(same, 'qr');
    assert.deepEqual([qr.method, qr.pairingPhone], ['qr', null]);
    const shown = await sessions.qr(qr, 'json');
    assert.match(shown.kind === 'json' ? (shown.body.qrCodeDataUrl ?? '') : '', /^data:image\/png;base64,/);

    await assert.rejects(sessions.setLinkMethod(qr, 'phone', '12'), (err: AppError) => err.code === 'VALIDATION_FAILED');
    const linked = await linkedSession(t, '6281200000001');
    await assert.rejects(sessions.setLinkMethod(await resolver.getUncached(linked.id), 'phone', '6281200000001'), (err: AppError) => err.code === 'SESSION_ALREADY_LINKED');
    // Reconnecting (credentials kept, not READY) is still linked: its credentials are not wiped.
    await api(t).post(`/api/sessions/${linked.id}/stop`).expect(200);
    await assert.rejects(sessions.setLinkMethod(await resolver.getUncached(linked.id), 'qr'), (err: AppError) => err.code === 'SESSION_ALREADY_LINKED');
  });

  it('list(…, only) narrows the listing to the given sessions (none for an empty list), with paging and search', async () => {
    const a = await createSession(t, { name: 'only-a' });
    const b = await createSession(t, { name: 'only-b' });
    await createSession(t, { name: 'only-c' });
    const admin = Principal.admin('api-key');
    const both = await sessions.list(admin, { q: 'only-' }, [a, b]);
    assert.deepEqual(both.sessions.map((s) => s.name).sort(), ['only-a', 'only-b']);
    assert.equal(both.total, 2);
    const paged = await sessions.list(admin, { q: 'only-', limit: 1, page: 2 }, [a, b]);
    assert.deepEqual([paged.total, paged.sessions.length], [2, 1]);
    assert.deepEqual((await sessions.list(admin, {}, [])).sessions, []);
    assert.equal((await sessions.list(admin, { q: 'only-' })).total, 3);
  });

  it('uploadFromUrl stores the fetched bytes as they are, typed from them', async () => {
    const media = t.app.get(MediaService);
    const png = await media.uploadFromUrl(`${files.url}/photo.png`);
    assert.equal(png.mimetype, 'image/png');
    const pdf = await media.uploadFromUrl(`${files.url}/invoice.pdf`, 'invoice-42.pdf');
    assert.deepEqual([pdf.mimetype, pdf.fileName], ['application/pdf', 'invoice-42.pdf']);
    await assert.rejects(media.uploadFromUrl(`${files.url}/missing`), (err: AppError) => err.code === 'MEDIA_FETCH_FAILED');
  });
});
