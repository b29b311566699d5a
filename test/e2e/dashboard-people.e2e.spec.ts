import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { linkedSession } from '../support/factories';
import { api } from '../support/http';
import { chromiumSkip, openBrowser, SHOTS, SIDEWAYS, VIEWPORTS, type BrowserRig } from '../support/browser';
import { after, before, describe, it } from '../support/node-test';
import { FAST_QUEUE_ENV, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * The dashboard's Contacts and Groups pages and the session settings panel, in the Debian
 * `chromium` driven by playwright-core against the real app on the sandbox engine (set up as in
 * dashboard-browser.e2e.spec.ts).
 */

describe('Web dashboard: contacts, groups and session settings in Chromium', { skip: chromiumSkip }, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let session: { id: string };
  let watch: BrowserRig['watch'];
  let takeProblems: BrowserRig['takeProblems'];

  before(async () => {
    t = await startTestApp({ env: { ...FAST_QUEUE_ENV } });
    ({ browser, context, page, watch, takeProblems } = await openBrowser());
    session = await linkedSession(t, '919876543210', { name: 'Front desk' });
  });

  after(async () => {
    await browser?.close();
    await t?.destroy();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  it('signs in; a contact who writes in appears in Contacts, and its opt-in changes from the page and live from the API', async () => {
    await page.goto(`${t.url}/ui/`);
    await page.getByLabel('API token or password').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview').waitFor();
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor();

    await nav('Contacts').click();
    await heading('Contacts').waitFor();
    await page.getByRole('heading', { name: 'No contact found' }).waitFor();

    await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: '447700900789', text: 'Hello there' }).expect(202);
    // It appears without a reload (the stream's message.received).
    const row = page.getByRole('row').filter({ hasText: '+44 7700 900789' });
    await row.waitFor();
    await row.getByText('Front desk').waitFor();

    // One session, searched.
    await page.getByLabel('Session').selectOption(session.id);
    await page.getByLabel('Search').fill('900789');
    await row.waitFor();
    await page.getByLabel('Search').fill('no such person');
    await page.getByRole('heading', { name: 'No contact found' }).waitFor();
    await page.getByLabel('Search').fill('');
    await row.waitFor();

    const optIn = row.getByRole('combobox', { name: /^Opt-in of/ });
    await optIn.selectOption('yes');
    const apiOptIn = async () =>
      ((await api(t).get(`/api/sessions/${session.id}/contacts`).expect(200)).body.contacts as { phoneNumber: string; optIn: string }[]).find(
        (c) => c.phoneNumber === '447700900789',
      )?.optIn;
    await waitFor(async () => (await apiOptIn()) === 'yes', { what: 'the API reports the opt-in' });

    // Filtered by opt-in.
    await page.getByLabel('Opt-in', { exact: true }).selectOption('no');
    await page.getByRole('heading', { name: 'No contact found' }).waitFor();
    await page.getByLabel('Opt-in', { exact: true }).selectOption('');
    await row.waitFor();

    // Another client records a NO: the page follows (contact.opt_in on the stream).
    await api(t).patch(`/api/sessions/${session.id}/contacts/447700900789`).send({ optIn: 'no' }).expect(200);
    await waitFor(async () => (await optIn.inputValue()) === 'no', { what: 'the opt-in shown as NO' });
    assert.deepEqual(takeProblems(), []);
  });

  it('pages through more contacts than fit on one page', async () => {
    for (let i = 10; i < 36; i++) {
      await api(t).post(`/api/sessions/${session.id}/sandbox/inbound`).send({ from: `4477009001${i}`, text: 'Hi' }).expect(202);
    }
    await page.getByText('27 contacts').waitFor();
    const pager = page.getByRole('navigation', { name: 'Contact pages' });
    await pager.getByText('Page 1 of 2').waitFor();
    assert.equal(await page.getByRole('row').count(), 26, 'a header row and 25 contacts');
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2 of 2').waitFor();
    await waitFor(async () => (await page.getByRole('row').count()) === 3, { what: 'the 2 contacts of page 2' });
    assert.ok(await pager.getByRole('button', { name: 'Next' }).isDisabled());
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('Page 1 of 2').waitFor();
    assert.deepEqual(takeProblems(), []);
  });

  it("lists the sandbox account's groups, refreshes them, and shows a group's participants with admin marks", async () => {
    await nav('Groups').click();
    await heading('Groups').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Sandbox group 1' });
    await row.getByText('120363000000000001@g.us').waitFor();
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Refresh' }).waitFor();
    await row.getByRole('button', { name: 'Show participants of Sandbox group 1' }).click();
    const people = page.getByRole('list', { name: 'Participants of Sandbox group 1' });
    await people.getByRole('listitem').filter({ hasText: '+91 98765 43210' }).getByText('Owner (admin)').waitFor();
    const member = people.getByRole('listitem').filter({ hasText: '+1 555 000 1001' });
    await member.waitFor();
    assert.equal(await member.getByText(/admin/i).count(), 0);
    assert.deepEqual(takeProblems(), []);
  });

  it('a session that is not connected has a clear empty state on Groups, without asking WhatsApp', async () => {
    const spare = (await api(t).post('/api/sessions').send({ name: 'Unlinked' }).expect(201)).body.session.sessionId as string;
    await page.reload();
    await heading('Groups').waitFor();
    await page.getByLabel('Session').selectOption(spare);
    await page.getByRole('heading', { name: 'Unlinked is not connected' }).waitFor();
    await page.getByText(/It is REGISTERING now/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Refresh' }).count(), 0);
    await api(t).delete(`/api/sessions/${spare}`).expect((r) => assert.ok(r.status < 300, JSON.stringify(r.body)));
    assert.deepEqual(takeProblems(), []);
  });

  it('changes the session settings (careful pacing, calls rejected with a reply) and shows an invalid value next to its field', async () => {
    await page.goto(`${t.url}/ui/sessions/${encodeURIComponent(session.id)}`);
    await heading('Front desk').waitFor();
    const settings = page.getByRole('form', { name: 'Settings' });
    await settings.getByRole('radio', { name: /^Careful/ }).check();
    await settings.getByRole('checkbox', { name: 'Reject incoming calls' }).check();
    await settings.getByLabel('Reply to a rejected call').fill('We cannot take calls; please write here.');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    const stored = (await api(t).get(`/api/sessions/${session.id}`).expect(200)).body.session.settings;
    assert.equal(stored.minDelayMs, 8000);
    assert.equal(stored.maxDelayMs, 22000);
    assert.equal(stored.rejectCalls, true);
    assert.equal(stored.rejectMessage, 'We cannot take calls; please write here.');

    const cap = settings.getByLabel('Daily cap (sends per UTC day)');
    await cap.fill('0');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.locator('#set-cap-error').filter({ hasText: /dailyLimit/ }).waitFor();
    assert.equal(await cap.getAttribute('aria-invalid'), 'true');
    await waitFor(async () => (await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')) === 'set-cap', { what: 'focus on the invalid field' });
    assert.match((await cap.getAttribute('aria-describedby')) ?? '', /set-cap-error/);
    await settings.getByRole('alert').filter({ hasText: 'not saved' }).waitFor();
    assert.equal((await api(t).get(`/api/sessions/${session.id}`).expect(200)).body.session.settings.dailyLimit, null);

    // Custom pacing: the API's own rule (min ≤ max) lands next to the shortest pause.
    await cap.fill('500');
    await settings.getByRole('radio', { name: 'Custom' }).check();
    await settings.getByLabel('Shortest pause (ms)').fill('9000');
    await settings.getByLabel('Longest pause (ms)').fill('1000');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.locator('#set-min-error').filter({ hasText: 'must not exceed' }).waitFor();
    await settings.getByLabel('Longest pause (ms)').fill('12000');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    const after = (await api(t).get(`/api/sessions/${session.id}`).expect(200)).body.session.settings;
    assert.deepEqual([after.minDelayMs, after.maxDelayMs, after.dailyLimit], [9000, 12000, 500]);
    assert.equal(await settings.locator('.field-error').count(), 0);
    assert.deepEqual(
      takeProblems().filter((p) => !/^error: Failed to load resource: the server responded with a status of 400 .*\/settings\)$/.test(p)),
      [],
    );
  });

  it('shows each page at desktop and phone size without console errors or sideways scrolling', async () => {
    const pages = [
      { name: 'contacts', path: '/ui/contacts', title: 'Contacts', ready: () => page.getByRole('navigation', { name: 'Contact pages' }).getByText('Page 1 of 2').waitFor() },
      { name: 'groups', path: '/ui/groups', title: 'Groups', ready: () => page.getByRole('row').filter({ hasText: 'Sandbox group 2' }).waitFor() },
      {
        name: 'session-settings',
        path: `/ui/sessions/${encodeURIComponent(session.id)}`,
        title: 'Front desk',
        ready: () => page.getByRole('button', { name: 'Save settings' }).waitFor(),
      },
    ];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const p of pages) {
          await page.goto(`${t.url}${p.path}`);
          await heading(p.title).waitFor();
          await p.ready();
          if (p.name === 'groups') {
            await page.getByRole('button', { name: 'Show participants of Sandbox group 1' }).click();
            await page.getByRole('list', { name: 'Participants of Sandbox group 1' }).waitFor();
          }
          const overflow = await page.evaluate<number>(SIDEWAYS);
          assert.ok(overflow <= 0, `${p.name} at ${viewport.width}px (${scheme}) scrolls sideways by ${overflow}px`);
          if (scheme === 'light') await shot(`${p.name}-${viewport.name}`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(takeProblems(), []);
  });
});
