import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { linkedSession } from '../support/factories';
import { api } from '../support/http';
import { chromiumSkip, openBrowser, SHOTS, SIDEWAYS, VIEWPORTS, type BrowserRig } from '../support/browser';
import { after, before, describe, it } from '../support/node-test';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { FAST_WEBHOOK_ENV, WebhookReceiver } from '../support/webhook-receiver';

/**
 * The admin pages of the dashboard (Webhooks, Tokens, Security) in a real browser, against the
 * real app on the sandbox engine, like dashboard-browser.e2e.spec.ts.
 */

describe('Web dashboard admin pages in Chromium', { skip: chromiumSkip }, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: BrowserRig['watch'];
  let takeProblems: BrowserRig['takeProblems'];

  before(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV, ...FAST_WEBHOOK_ENV } });
    ({ browser, context, page, watch, takeProblems } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
    await t?.destroy();
    await receiver?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  const signIn = async (secret: string) => {
    await page.getByLabel('API token or password').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('adds a webhook to a local receiver, shows its deliveries with the response code, redelivers one, sends a test, edits it', async () => {
    await page.goto(`${t.url}/ui/`);
    await signIn(TEST_API_KEY);
    await heading('Overview').waitFor();
    await nav('Webhooks');
    await heading('Webhooks').waitFor();
    await page.getByText('No webhook yet').waitFor();

    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('URL', { exact: true }).fill('not a url');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'https://' }).waitFor();
    await dialog.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hook`);
    await dialog.getByRole('checkbox', { name: 'All events' }).uncheck();
    for (const e of ['message.received', 'message.status', 'session.status']) await dialog.getByRole('checkbox', { name: e, exact: true }).check();
    await dialog.getByRole('radio', { name: /Native/ }).check();
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    const created = page.getByRole('dialog', { name: 'Webhook created' });
    await created.getByText('you will not see it again').waitFor();
    const secret = await created.getByLabel('Signing secret').inputValue();
    assert.ok(secret.length >= 16, secret);
    await created.getByRole('button', { name: 'I have copied it' }).click();
    const row = page.getByRole('row').filter({ hasText: `${receiver.url}/hook` });
    await row.getByText('message.received, message.status, session.status').waitFor();
    await row.getByText('Native').waitFor();
    await row.getByText('All sessions').waitFor();

    // An event: a session links (session.status).
    await linkedSession(t, '919876543210', { name: 'Hooked' });
    await receiver.waitFor((r) => r.requests.length > 0);
    await row.getByRole('button', { name: /^Deliveries of/ }).click();
    const log = page.getByRole('region', { name: /^Deliveries to/ });
    const first = log.getByRole('row').filter({ hasText: 'session.status' }).first();
    await first.getByText('HTTP 200').waitFor();
    await first.getByText('DELIVERED').waitFor();
    await row.getByText(/Healthy, last delivered/).waitFor();

    const before = receiver.requests.length;
    const hookId = (await api(t).get('/api/webhooks').expect(200)).body.webhooks[0].id as string;
    const deliveries = (await api(t).get(`/api/webhooks/${hookId}/deliveries`).expect(200)).body.deliveries as { id: string; eventId: string }[];
    const newest = deliveries[0]!;
    await log.getByRole('row').nth(1).getByRole('button', { name: /^Redeliver/ }).click();
    await receiver.waitFor((r) => r.requests.length > before);
    assert.equal(receiver.requests.at(-1)!.headers['x-switchboard-event-id'], newest.eventId, 'the same event again');
    let attempts = 0;
    await waitFor(async () => {
      const d = (await api(t).get(`/api/webhooks/${hookId}/deliveries/${newest.id}`).expect(200)).body.delivery;
      attempts = d.attemptCount;
      return d.attempts.length >= 2 && d.status === 'DELIVERED';
    }, { what: 'the second attempt logged' });
    await log.getByRole('row').nth(1).getByRole('cell', { name: String(attempts), exact: true }).waitFor();

    // Send test: one signed webhook.test delivery reaches the receiver; its 200 shows in the log.
    const beforeTest = receiver.requests.length;
    await row.getByRole('button', { name: /^Send a test to/ }).click();
    await page.getByRole('status').filter({ hasText: 'Test delivered: the receiver answered HTTP 200.' }).waitFor();
    const testRow = log.getByRole('row').filter({ hasText: 'webhook.test' });
    await testRow.getByText('HTTP 200').waitFor();
    await testRow.getByText('DELIVERED').waitFor();
    await testRow.getByText('(your test)').waitFor();
    const ping = receiver.requests.slice(beforeTest).find((r) => r.headers['x-switchboard-event'] === 'webhook.test');
    assert.ok(ping, 'the receiver got the test');
    assert.equal(ping.body.data.webhookId, hookId);

    await row.getByRole('button', { name: /^Edit/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    await edit.getByRole('checkbox', { name: 'All events' }).check();
    await edit.getByRole('button', { name: 'Save webhook' }).click();
    await row.getByText('All events').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it('creates a token, shows its secret once, which works on the API until it is revoked in the page', async () => {
    await nav('Tokens');
    await heading('Tokens').waitFor();
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'New token' });
    await dialog.getByLabel('Name').fill('ci-bot');
    await dialog.getByLabel('Expires in').fill('30 days');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await dialog.getByRole('alert').filter({ hasText: 's, m, h or d' }).waitFor();
    await dialog.getByLabel('Expires in').fill('30d');
    await dialog.getByRole('radio', { name: 'One session' }).check();
    await dialog.getByLabel('Session', { exact: true }).selectOption({ label: 'Hooked' });
    await dialog.getByRole('radio', { name: /^None/ }).check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByRole('dialog', { name: 'Token created' });
    await created.getByText('you will not see it again').waitFor();
    const secret = await created.getByLabel('Token secret').inputValue();
    await created.getByRole('button', { name: 'I have copied it' }).click();

    await request(t.url).get('/api/sessions').set('Authorization', `Bearer ${secret}`).expect(200);
    const row = page.getByRole('row').filter({ hasText: 'ci-bot' });
    await row.getByText(`${secret.slice(0, 6)}`, { exact: false }).waitFor();
    await row.getByText('None (every session)').waitFor();
    // Not shown again: the page holds no copy of the secret.
    assert.equal(await page.getByText(secret).count(), 0);

    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await page.getByRole('dialog', { name: 'Revoke ci-bot?' }).getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    await request(t.url).get('/api/sessions').set('Authorization', `Bearer ${secret}`).expect(401);
    assert.deepEqual(takeProblems(), []);
  });

  it('tells a non-admin credential that tokens need an admin sign-in', async () => {
    const bound = (await api(t).post('/api/auth/tokens').send({ name: 'bound', workspace: 'support' }).expect(201)).body.token as string;
    const other = await context.newPage();
    watch(other);
    await other.goto(`${t.url}/ui/tokens`);
    await other.getByLabel('API token or password').fill(bound);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('heading', { level: 2, name: 'Admin sign-in needed' }).waitFor();
    await other.close();
    assert.deepEqual(takeProblems(), []);
  });

  it('shows each admin page at 1280 and 390 px without sideways scrolling or console errors', async () => {
    const pages = [
      { name: 'webhooks', path: '/ui/webhooks', title: 'Webhooks', ready: () => page.getByRole('row').filter({ hasText: '/hook' }).first().waitFor() },
      { name: 'tokens', path: '/ui/tokens', title: 'Tokens', ready: () => page.getByRole('row').filter({ hasText: 'bound' }).first().waitFor() },
      { name: 'security', path: '/ui/security', title: 'Security', ready: () => page.getByLabel('Confirm new password').waitFor() },
    ];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const p of pages) {
        await page.goto(`${t.url}${p.path}`);
        await heading(p.title).waitFor();
        await p.ready();
        if (p.name === 'webhooks') {
          await page.getByRole('button', { name: /^Deliveries of/ }).click();
          await page.getByRole('region', { name: /^Deliveries to/ }).getByText('HTTP 200').first().waitFor();
        }
        const overflow = await page.evaluate<number>(SIDEWAYS);
        assert.ok(overflow <= 0, `${p.name} at ${viewport.width}px scrolls sideways by ${overflow}px`);
        await shot(`${p.name}-${viewport.name}`);
      }
    }
    await page.setViewportSize(VIEWPORTS[0]);
    assert.deepEqual(takeProblems(), []);
  });

  it('changes the password: the tab signed in with the old one signs in again with the new one', async () => {
    const old = 'first password of the admin';
    const next = 'second password, longer still';
    await api(t).post('/api/auth/change-password').send({ newPassword: old }).expect(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(old);
    // The tab stays on the page it was on.
    await heading('Security').waitFor();
    assert.equal(JSON.parse((await page.evaluate<string>("sessionStorage.getItem('switchboard.credential')")) ?? '{}').via, 'password');
    await page.getByText('ask you to sign in again').waitFor();
    await page.getByLabel('Current password').fill(old);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 8' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Confirm new password').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Sign in with the new password.').waitFor();
    await signIn(next);
    await heading('Security').waitFor();
    await page.getByText('ask you to sign in again').waitFor();
    await request(t.url).post('/api/auth/login').send({ password: old }).expect(401);
    // The logout of the ended JWT may be refused (401): the only console line allowed.
    assert.deepEqual(
      takeProblems().filter((p) => !/status of 401 .*\/api\/(auth\/logout|events[^)]*)\)$/.test(p)),
      [],
    );
  });

  it('deletes a webhook after confirmation', async () => {
    await nav('Webhooks');
    await heading('Webhooks').waitFor();
    await page.getByRole('button', { name: /^Delete/ }).first().click();
    await page.getByRole('dialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhook yet').waitFor();
    assert.deepEqual((await api(t).get('/api/webhooks').expect(200)).body.webhooks, []);
    assert.deepEqual(takeProblems(), []);
  });
});
