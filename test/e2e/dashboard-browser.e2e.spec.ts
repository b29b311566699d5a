import assert from 'node:assert/strict';
import { phoneNumberIdOf, wabaIdOf } from '../../src/common/utils/graph-ids';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { linkedSession, sendText } from '../support/factories';
import { api } from '../support/http';
import { chromiumSkip, openBrowser, SHOTS, SIDEWAYS, VIEWPORTS, type BrowserRig } from '../support/browser';
import { after, before, describe, it } from '../support/node-test';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * The web dashboard in a real browser: the Debian `chromium` driven by playwright-core, against
 * the real app on the sandbox engine. Skipped only where chromium is missing and CI is not set
 * (`.ci/run` installs chromium and sets CI, so there it always runs).
 */

const ACTIVE_TEXT = 'document.activeElement ? document.activeElement.textContent : null';

describe('Web dashboard in Chromium', { skip: chromiumSkip }, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: BrowserRig['watch'];
  let takeProblems: BrowserRig['takeProblems'];

  before(async () => {
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV } });
    ({ browser, context, page, watch, takeProblems } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
    await t?.destroy();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
  const noHorizontalScroll = async (what: string) => {
    const overflow = await page.evaluate<number>(SIDEWAYS);
    assert.ok(overflow <= 0, `${what}: the page scrolls sideways by ${overflow}px`);
  };
  const signIn = async (secret: string) => {
    await page.getByLabel('API token or password').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('opens at / and signs in with the admin token; a wrong credential shows an error; the sign-in is per tab and sign out clears it', async () => {
    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/ui\/$/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    await signIn('not-the-token-0123456789');
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    // The browser itself reports the refused sign-in requests (verify 401; login 401, or 409
    // PASSWORD_NOT_SET when no password is set); nothing else may appear.
    const refused = takeProblems();
    assert.ok(refused.length > 0);
    assert.deepEqual(
      refused.filter((p) => !/^error: Failed to load resource: the server responded with a status of 4\d\d .*\/api\/auth\/(verify|login)\)$/.test(p)),
      [],
    );

    await signIn(TEST_API_KEY);
    await heading(page, 'Overview').waitFor();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();

    // Kept across a reload of the tab …
    await page.reload();
    await heading(page, 'Overview').waitFor();
    // … but not shared with another tab.
    const other = await context.newPage();
    watch(other);
    await other.goto(`${t.url}/ui/`);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await other.close();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(TEST_API_KEY);
    await heading(page, 'Overview').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('signs in with the admin password through a login JWT, and signing out clears the login cookie too', async () => {
    const password = 'correct horse battery staple';
    await api(t).post('/api/auth/change-password').send({ newPassword: password }).expect(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(password);
    await heading(page, 'Overview').waitFor();
    const stored = JSON.parse((await page.evaluate<string>("sessionStorage.getItem('switchboard.credential')")) ?? '{}');
    assert.equal(stored.via, 'password');
    assert.match(stored.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT, not the password');
    assert.ok((await context.cookies()).some((c) => c.name === 'sb_token'));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await waitFor(async () => !(await context.cookies()).some((c) => c.name === 'sb_token'), { what: 'the login cookie cleared' });
    await signIn(TEST_API_KEY);
    await heading(page, 'Overview').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('creates a session, shows its QR and the next one when it changes, then the number and READY by itself once the phone links', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    await heading(page, 'Sessions').waitFor();
    await page.evaluate('window.sameDocument = true');

    await page.getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('Support');
    await dialog.getByRole('radio', { name: /QR code/ }).check();
    await dialog.getByRole('button', { name: 'Create session' }).click();
    const linking = page.getByRole('dialog', { name: 'Link Support' });
    const qr = linking.getByRole('img', { name: 'QR code to link Support' });
    await qr.waitFor();
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    await shot('new-session-qr');

    const sessions = (await api(t).get('/api/sessions').expect(200)).body.sessions as { sessionId: string; name: string }[];
    const id = sessions.find((s) => s.name === 'Support')!.sessionId;

    // A new QR (here: relinking starts a fresh one) replaces the shown one through the event stream.
    const first = await qr.getAttribute('src');
    await api(t).post(`/api/sessions/${id}/relink`).expect((r) => assert.ok(r.status < 300, JSON.stringify(r.body)));
    await waitFor(async () => {
      const src = await qr.getAttribute('src');
      return src !== first && src?.startsWith('data:image/png;base64,');
    }, { what: 'the QR replaced by the next one' });

    await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '919876543210' }).expect(200);

    await linking.getByText('READY').waitFor();
    await linking.getByText('+91 98765 43210').waitFor();
    await shot('new-session-linked');
    assert.equal(await page.evaluate<boolean | undefined>('window.sameDocument'), true, 'the page was reloaded');

    await linking.getByRole('button', { name: 'Close' }).first().click();
    const row = page.getByRole('row').filter({ hasText: 'Support' });
    await row.getByText('READY').waitFor();
    await row.getByText('+91 98765 43210').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('links with a pairing code typed on the phone', async () => {
    await page.getByRole('button', { name: 'New session' }).click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('Sales');
    await dialog.getByRole('radio', { name: /Pairing code/ }).check();
    await dialog.getByLabel('Phone number').fill('12345');
    await dialog.getByRole('button', { name: 'Create session' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'international form' }).waitFor();
    await dialog.getByLabel('Phone number').fill('+44 7700 900456');
    await dialog.getByRole('button', { name: 'Create session' }).click();
    const linking = page.getByRole('dialog', { name: 'Link Sales' });
    const code = linking.getByText(/^[0-9A-F]{8}$/);
    await code.waitFor();
    const sessions = (await api(t).get('/api/sessions').expect(200)).body.sessions as { sessionId: string; name: string; method: string }[];
    const sales = sessions.find((s) => s.name === 'Sales')!;
    assert.equal(sales.method, 'phone');
    const qr = (await api(t).get(`/api/sessions/${sales.sessionId}/qr`).expect(200)).body;
    assert.equal(await code.textContent(), qr.pairingCode);
    await api(t).post(`/api/sessions/${sales.sessionId}/sandbox/link`).send({ phoneNumber: '447700900456' }).expect(200);
    await linking.getByText('READY').waitFor();
    await linking.getByText('+44 7700 900456').waitFor();
    await page.keyboard.press('Escape');
    await linking.waitFor({ state: 'hidden' });

    // Another client creates a session for a pairing code (no QR, no status change yet): the
    // list shows it at once from its session.created event, not at the next slow reload.
    await page.evaluate('window.sameDocument = true');
    await api(t).post('/api/sessions').send({ name: 'Elsewhere', method: 'phone', phoneNumber: '+44 7700 900789' }).expect(201);
    await page.getByRole('row').filter({ hasText: 'Elsewhere' }).getByText('REGISTERING').waitFor();
    assert.equal(await page.evaluate<boolean | undefined>('window.sameDocument'), true, 'the page was reloaded');
    assert.deepEqual(takeProblems(), []);
  });

  it('asks before acting on a session, and the list follows the new status', async () => {
    const other = await linkedSession(t, '447700900123', { name: 'Spare' });
    const row = page.getByRole('row').filter({ hasText: 'Spare' });
    await row.getByText('+44 7700 900123').waitFor();
    await row.getByRole('button', { name: 'Stop Spare' }).click();
    const confirm = page.getByRole('dialog', { name: 'Stop Spare?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal((await api(t).get(`/api/sessions/${other.id}`).expect(200)).body.session.status, 'READY');

    await row.getByRole('button', { name: 'Stop Spare' }).click();
    await confirm.getByRole('button', { name: 'Stop' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.getByText('INACTIVE').waitFor();
    assert.equal((await api(t).get(`/api/sessions/${other.id}`).expect(200)).body.session.status, 'INACTIVE');
    assert.deepEqual(takeProblems(), []);
  });

  it('recovers when the server drops the event stream: what happened meanwhile appears without a reload', async () => {
    await page.goto(`${t.url}/ui/sessions`);
    await heading(page, 'Sessions').waitFor();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    const id = (await api(t).post('/api/sessions').send({ name: 'Backup' }).expect(201)).body.session.sessionId as string;
    const row = page.getByRole('row').filter({ hasText: 'Backup' });
    await row.getByText('REGISTERING').waitFor();
    await page.evaluate('window.sameDocument = true');

    // Every open connection of the server is cut (as a proxy or a restart would), then the phone links.
    (t.app.getHttpServer() as import('node:http').Server).closeAllConnections();
    await api(t).post(`/api/sessions/${id}/sandbox/link`).send({ phoneNumber: '919812345678' }).expect(200);
    await row.getByText('READY').waitFor();
    await row.getByText('+91 98123 45678').waitFor();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();
    assert.equal(await page.evaluate<boolean | undefined>('window.sameDocument'), true, 'the page was reloaded');
    // The browser may report the cut stream itself; the app adds nothing.
    assert.deepEqual(
      takeProblems().filter((p) => !/^error: Failed to load resource: net::ERR_[A-Z_]+ \(.*\/api\/events\)$/.test(p)),
      [],
    );
  });

  it('shows every page at desktop and phone size, light and dark, without console errors or sideways scrolling', async () => {
    // Some traffic for the overview's figures and chart.
    const sessions = (await api(t).get('/api/sessions').expect(200)).body.sessions as { sessionId: string; name: string; status: string }[];
    const support = sessions.find((s) => s.name === 'Support')!;
    for (const text of ['Hello', 'Your order shipped', 'Thanks!']) await sendText(t, support.sessionId, '919846303025', text);
    for (const text of ['Where is my order?', 'Got it, thanks']) {
      await api(t).post(`/api/sessions/${support.sessionId}/sandbox/inbound`).send({ from: '919846303025', text }).expect(202);
    }
    // Sent, then delivered and read by the sandbox's receipts.
    await waitFor(
      async () => {
        const hourly = (await api(t).get('/api/dashboard/overview').expect(200)).body.overview.messages.hourly as { read: number; inbound: number }[];
        return hourly.reduce((a, h) => a + h.read, 0) === 3 && hourly.reduce((a, h) => a + h.inbound, 0) === 2;
      },
      { what: 'the three messages read and two received' },
    );

    const pages = [
      { name: 'overview', path: '/ui/', title: 'Overview' },
      { name: 'sessions', path: '/ui/sessions', title: 'Sessions' },
      { name: 'session-detail', path: `/ui/sessions/${encodeURIComponent(support.sessionId)}`, title: 'Support' },
    ];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const p of pages) {
          // A deep link, loaded afresh: the server answers the app for it, the tab stays signed in.
          await page.goto(`${t.url}${p.path}`);
          await heading(page, p.title).waitFor();
          if (p.name === 'overview') {
            await page.getByRole('img', { name: /Messages sent per hour/ }).waitFor();
            await page.getByRole('img', { name: /Messages received per hour/ }).waitFor();
            // Every figure of the chart is text too: the legend's totals and the hour in the table.
            const sent = page.getByRole('region', { name: 'Messages sent per hour' });
            for (const label of ['Sent: 3', 'Delivered: 3', 'Read: 3', 'Failed: 0']) await sent.getByRole('listitem').filter({ hasText: label }).waitFor();
            await sent.getByText('Messages sent per hour as a table').click();
            const table = sent.getByRole('table');
            assert.deepEqual(await table.getByRole('columnheader').allTextContents(), ['Hour', 'Sent', 'Delivered', 'Read', 'Failed']);
            assert.deepEqual((await table.getByRole('row').last().getByRole('cell').allTextContents()), ['3', '3', '3', '0']);
            await sent.getByText('Messages sent per hour as a table').click();
            await page.getByRole('region', { name: 'Messages received per hour' }).getByRole('listitem').filter({ hasText: 'Received: 2' }).waitFor();
            await page.getByRole('region', { name: 'Messages, last 24 hours' }).getByText('3', { exact: true }).first().waitFor();
          }
          if (p.name === 'sessions') await page.getByRole('row').filter({ hasText: 'Support' }).getByText('READY').waitFor();
          if (p.name === 'session-detail') {
            await page.getByRole('heading', { name: 'Status history' }).waitFor();
            // The Cloud API ids a CRM is configured with, read-only with a copy button.
            await page.getByText(phoneNumberIdOf(support.sessionId), { exact: true }).waitFor();
            await page.getByRole('button', { name: 'Copy Cloud API phone number id' }).waitFor();
            await page.getByText(wabaIdOf(null), { exact: true }).waitFor();
          }
          await noHorizontalScroll(`${p.name} at ${viewport.width}px (${scheme})`);
          if (scheme === 'light' || p.name === 'overview') await shot(`${p.name}-${viewport.name}${scheme === 'dark' ? '-dark' : ''}`);
        }
      }
      await page.emulateMedia({ colorScheme: 'light' });
      // The sign-in page, in a fresh tab (signed out).
      const fresh = await context.newPage();
      watch(fresh);
      await fresh.setViewportSize({ width: viewport.width, height: viewport.height });
      await fresh.goto(`${t.url}/ui/`);
      await fresh.getByRole('button', { name: 'Sign in' }).waitFor();
      const overflow = await fresh.evaluate<number>(SIDEWAYS);
      assert.ok(overflow <= 0, `sign-in at ${viewport.width}px scrolls sideways by ${overflow}px`);
      await fresh.screenshot({ path: join(SHOTS, `sign-in-${viewport.name}.png`) });
      await fresh.close();
    }
    assert.deepEqual(takeProblems(), []);
  });

  it('is keyboard navigable: skip link, navigation and the new-session dialog', async () => {
    await page.setViewportSize(VIEWPORTS[0]);
    await page.goto(`${t.url}/ui/`);
    await heading(page, 'Overview').waitFor();
    await page.bringToFront();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string | null>(ACTIVE_TEXT), 'Skip to content', await page.evaluate<string>('document.activeElement.outerHTML'));
    // Tab to "Sessions" in the navigation and open it with Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate<string | null>(ACTIVE_TEXT)) === 'Sessions') break;
    }
    await page.keyboard.press('Enter');
    await heading(page, 'Sessions').waitFor();
    await page.getByRole('button', { name: 'New session' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.waitFor();
    assert.equal(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""'), 'session-name');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(takeProblems(), []);
  });
});
