import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { waitTimeout } from './wait';

/**
 * The dashboard's browser tests drive the Debian `chromium` with playwright-core. A spec is
 * skipped only where chromium is missing and CI is not set (`.ci/run` installs chromium and sets
 * CI, so there it always runs).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const chromiumSkip: string | false =
  !haveChromium && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install -y chromium); CI installs it and runs this file` : false;

/** Screenshots land in build/screenshots; UPDATE_SCREENSHOTS=1 refreshes the ones in docs/. */
const repo = join(__dirname, '..', '..', '..');
export const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(repo, 'docs', 'screenshots') : join(repo, 'build', 'screenshots');

/** Evaluated in the page (specs are compiled without the DOM's types): how far it scrolls sideways. */
export const SIDEWAYS = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** Without these Chromium fills the logs with refused connections (the network is closed). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserRig {
  browser: Browser;
  context: BrowserContext;
  /** A first page, already watched. */
  page: Page;
  /** Records a page's console errors and warnings and its uncaught exceptions. */
  watch(page: Page): void;
  /** What was recorded since the last call. */
  takeProblems(): string[];
}

/** Chromium with one light desktop-sized page; page conditions wait up to 60 s (loaded machines). */
export async function openBrowser(extraArgs: string[] = []): Promise<BrowserRig> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing and CI is set: .ci/run installs it (apt-get install -y chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  const context = await browser.newContext({ viewport: VIEWPORTS[0], colorScheme: 'light' });
  context.setDefaultTimeout(waitTimeout(60_000));
  let problems: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  };
  const page = await context.newPage();
  watch(page);
  mkdirSync(SHOTS, { recursive: true });
  const takeProblems = () => {
    const out = problems;
    problems = [];
    return out;
  };
  return { browser, context, page, watch, takeProblems };
}
