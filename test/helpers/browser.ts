/**
 * Debian's Chromium driven by playwright-core for end-to-end tests of the
 * console: a fresh profile each time, no downloads, no network but loopback.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GRAYMESH_CHROMIUM ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Browser {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly profile: string,
  ) {}

  /** Launches Chromium with a fresh user data dir. */
  static async launch(viewport = { width: 1280, height: 800 }): Promise<Browser> {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'graymesh-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, deviceScaleFactor: 1 });
    const page = context.pages()[0] ?? (await context.newPage());
    return new Browser(context, page, profile);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Saves a screenshot of a page into dir as NAME.png. */
export async function screenshot(page: Page, dir: string, name: string, fullPage = false): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage, animations: 'disabled' });
}

/** The selector of an element by its data-testid. */
export const tid = (id: string): string => `[data-testid="${id}"]`;

/** Fills the console's login form shown on the page and waits until the user is logged in. */
export async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.waitForSelector(tid('login-username'));
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
  await page.waitForSelector(`${tid('current-user')}:text-is("${user}")`);
}
