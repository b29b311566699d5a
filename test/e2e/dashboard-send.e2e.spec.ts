import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { linkedSession, sendText } from '../support/factories';
import { api } from '../support/http';
import { chromiumSkip, openBrowser, SHOTS, SIDEWAYS, VIEWPORTS, type BrowserRig } from '../support/browser';
import { after, before, describe, it } from '../support/node-test';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * The Send and Messages pages in a real browser (the Debian `chromium` driven by playwright-core)
 * against the real app on the sandbox engine; set up like dashboard-browser.e2e.spec.ts.
 */

describe('Web dashboard: Send and Messages in Chromium', { skip: chromiumSkip }, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sessionId: string;
  let watch: BrowserRig['watch'];
  let takeProblems: BrowserRig['takeProblems'];
  /** The numbers of the messages sent from the Send page, by what they are. */
  const sent: Record<string, number> = {};

  before(async () => {
    // A transient failure (the sandbox fails numbers ending in 9999) is final at once.
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, QUEUE_MAX_ATTEMPTS: '1', QUEUE_RETRY_BASE_DELAY_MS: '50' } });
    sessionId = (await linkedSession(t, '447700900123', { name: 'Support' })).id;
    ({ browser, context, page, watch, takeProblems } = await openBrowser(['--autoplay-policy=no-user-gesture-required']));
  });

  after(async () => {
    await browser?.close();
    await t?.destroy();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const noHorizontalScroll = async (what: string) => {
    const overflow = await page.evaluate<number>(SIDEWAYS);
    assert.ok(overflow <= 0, `${what}: the page scrolls sideways by ${overflow}px`);
  };
  /** Number of the newest item of "Sent from this page" when the last send was read (0: none yet). */
  let lastSeen = 0;
  /** The item a send just added to "Sent from this page" (waits until it replaces the previous newest) and its number. */
  const newestSent = async () => {
    const item = page.getByRole('region', { name: 'Sent from this page' }).getByRole('listitem').first();
    const link = item.getByRole('link', { name: /^#\d+$/ });
    const number = await waitFor(async () => {
      if (!(await link.count())) return null;
      const n = Number((await link.textContent())!.slice(1));
      return n !== lastSeen ? n : null;
    }, { what: 'the new message in "Sent from this page"' });
    lastSeen = number;
    return { item, number };
  };

  it('signs in and sends a text from the Send page: the queued message follows to SENT and DELIVERED without a reload', async () => {
    await page.goto(`${t.url}/`);
    await page.getByLabel('API token or password').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview').waitFor();
    await page.evaluate('window.sameDocument = true');

    await nav('Send').click();
    await heading('Send').waitFor();
    await page.getByLabel('Session').locator(`option[value="${sessionId}"]`).waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Session').inputValue(), sessionId, 'the READY session is chosen first');
    await page.getByLabel('Recipient').fill('0091 98765-43210');
    await page.getByText('Will be sent to +91 98765 43210 (919876543210).').waitFor();
    await page.getByLabel('Type').selectOption('text');
    await page.getByLabel('Text', { exact: true }).fill('Hello from the Send page');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const { item, number } = await newestSent();
    sent.text = number;
    await item.getByText('+91 98765 43210').waitFor();
    await item.getByText(/^id [0-9a-f-]{36}$/).waitFor();
    await item.getByText(/^(DELIVERED|READ)$/).waitFor();
    assert.equal(await page.evaluate('window.sameDocument'), true, 'no reload');
    assert.deepEqual(takeProblems(), []);
  });

  it('previews a TTS voice note in an audio element, sends it and follows it live', async () => {
    await page.getByLabel('Type').selectOption('voice');
    await page.getByLabel('Text to speak').fill('Your order has shipped.');
    const voice = page.getByLabel('Voice');
    await voice.locator('option').nth(1).waitFor({ state: 'attached' });
    await voice.selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Preview' }).click();
    const audio = page.locator('audio[aria-label="Voice note preview"]');
    await audio.waitFor();
    await waitFor(async () => (await audio.evaluate<number, HTMLMediaElementLike>((a) => a.readyState)) >= 1, { what: 'the preview loaded' });
    assert.ok((await audio.evaluate<number, HTMLMediaElementLike>((a) => a.duration)) > 0, 'the preview plays audio');

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const { item, number } = await newestSent();
    assert.notEqual(number, sent.text);
    sent.voice = number;
    await item.getByText('voice', { exact: false }).waitFor();
    await item.getByText(/^(SENT|DELIVERED|READ|PLAYED)$/).waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('shows an API error with its message and code, and a failing number ending FAILED live', async () => {
    await page.getByLabel('Type').selectOption('text');
    await page.getByLabel('Recipient').fill('not a number');
    await page.getByLabel('Text', { exact: true }).fill('Nobody');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'RECIPIENT_INVALID' });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Not sent: .+ \(RECIPIENT_INVALID\)$/);
    assert.deepEqual(
      takeProblems().filter((p) => !/^error: Failed to load resource: the server responded with a status of 400 .*\/api\/messages\/send\)$/.test(p)),
      [],
    );

    await page.getByLabel('Recipient').fill('+91 98765 49999');
    await page.getByLabel('Text', { exact: true }).fill('This one fails');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const { item, number } = await newestSent();
    sent.failed = number;
    await item.getByText('FAILED', { exact: true }).waitFor();
    await item.getByText('ENGINE_TEMPORARY_FAILURE').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('finds the messages in Messages with filters and opens one with its status history and media', async () => {
    await nav('Messages').click();
    await heading('Messages').waitFor();
    const table = page.getByRole('table', { name: /^Messages/ });
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.failed},`) }).waitFor();

    await page.getByLabel('Recipient').fill('+91 98765 43210');
    await page.getByLabel('Direction').selectOption('outbound');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.text},`) }).waitFor();
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.voice},`) }).waitFor();
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.failed},`) }).waitFor({ state: 'detached' });
    assert.equal(await table.locator('tbody tr').count(), 2);

    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByLabel('Recipient').fill('');
    const today = await page.evaluate<string>("new Date().toLocaleDateString('en-CA')");
    await page.getByLabel('From date').fill(today);
    await page.getByLabel('To date').fill(today);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.failed},`) }).waitFor();
    await table.getByRole('link', { name: new RegExp(`^Message ${sent.text},`) }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Clear' }).click();

    await table.getByRole('link', { name: new RegExp(`^Message ${sent.voice},`) }).click();
    await heading(`Message ${sent.voice}`).waitFor();
    const history = page.getByRole('list', { name: 'Status history' });
    await history.getByText('QUEUED', { exact: true }).waitFor();
    await history.getByText('SENT', { exact: true }).waitFor();
    const media = page.locator(`audio[aria-label="The message's audio"]`);
    await media.waitFor();
    await waitFor(async () => (await media.evaluate<number, HTMLMediaElementLike>((a) => a.readyState)) >= 1, { what: 'the media loaded' });
    assert.deepEqual(takeProblems(), []);
  });

  it('resends a failed message and cancels a queued one, each after a confirmation', async () => {
    await nav('Messages').click();
    await page.getByRole('table', { name: /^Messages/ }).getByRole('link', { name: new RegExp(`^Message ${sent.failed},`) }).click();
    await heading(`Message ${sent.failed}`).waitFor();
    await page.getByRole('button', { name: 'Resend' }).click();
    const resend = page.getByRole('dialog', { name: 'Resend this message?' });
    await resend.getByRole('button', { name: 'Resend' }).click();
    await resend.waitFor({ state: 'hidden' });
    // Back in the queue, and (the sandbox fails it again) FAILED once more, live.
    const history = page.getByRole('list', { name: 'Status history' });
    await waitFor(async () => (await history.getByText('FAILED', { exact: true }).count()) >= 2, { what: 'FAILED again after the resend' });
    assert.ok((await history.getByText('QUEUED', { exact: true }).count()) >= 2);

    // A stopped session keeps its messages queued: one to cancel.
    await api(t).post(`/api/sessions/${sessionId}/stop`).expect((r) => assert.ok(r.status < 300, `stop answered ${r.status}`));
    const queued = await sendText(t, sessionId, '919876543210', 'Waiting for the session');
    await nav('Messages').click();
    await page.getByRole('table', { name: /^Messages/ }).getByRole('link', { name: new RegExp(`^Message ${queued.number},`) }).click();
    await heading(`Message ${queued.number}`).waitFor();
    await page.getByText('QUEUED', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Cancel message' }).click();
    const cancel = page.getByRole('dialog', { name: 'Cancel this message?' });
    await cancel.getByRole('button', { name: 'Cancel message' }).click();
    await cancel.waitFor({ state: 'hidden' });
    await page.getByRole('list', { name: 'Status history' }).getByText('CANCELED', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resend' }).waitFor();
    assert.equal((await api(t).get(`/api/messages/${queued.id}`).expect(200)).body.message.status, 'CANCELED');
    assert.deepEqual(takeProblems(), []);
  });

  it('fits 1280 and 390 px wide without sideways scrolling or console errors (screenshots)', async () => {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const p of [
        { name: 'send', path: '/ui/send', title: 'Send' },
        { name: 'messages', path: '/ui/messages', title: 'Messages' },
        { name: 'message-detail', path: `/ui/messages/${sent.voice}`, title: `Message ${sent.voice}` },
      ]) {
        await page.goto(`${t.url}${p.path}`);
        await heading(p.title).waitFor();
        if (p.name === 'messages') await page.getByRole('table', { name: /^Messages/ }).getByRole('link').first().waitFor();
        if (p.name === 'message-detail') await page.getByRole('list', { name: 'Status history' }).waitFor();
        if (p.name === 'send') await page.getByLabel('Type').selectOption('voice');
        await noHorizontalScroll(`${p.name} at ${viewport.width}px`);
        await page.screenshot({ path: join(SHOTS, `${p.name}-${viewport.name}.png`), fullPage: true });
      }
    }
    assert.deepEqual(takeProblems(), []);
  });
});

/** What the test reads of an <audio> (this file is compiled without the DOM's types). */
interface HTMLMediaElementLike {
  duration: number;
  readyState: number;
}
