/**
 * An automatic canary in the console, in Debian's Chromium: the wizard's Automatic
 * strategy (steps 20,50, checks every 2 s) for reviews v2 under steady load, then the
 * release page walking its timeline to Succeeded with each check's numbers. Screenshots
 * go to docs/screenshots/ (the README's "Automated canary" shows them).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, hasChromium, logIn, screenshot, tid } from '../helpers/browser.js';
import { Instance, ROOT } from '../helpers/instance.js';
import { Load, productpageVersion } from '../helpers/load.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const PROJECT = 'demo-project';

describe.skipIf(!hasChromium())('web console: an automatic canary', () => {
  const gm = new Instance();
  let browser: Browser;
  let page: Page;
  let load: Load;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample']);
    expect(up.code, up.stderr).toBe(0);
    expect((await gm.cliAsync(['deploy', 'bookinfo', '-p', PROJECT])).code).toBe(0);
    load = new Load({ port: gm.gatewayPort, host: `productpage.${PROJECT}.localhost`, path: '/productpage', version: productpageVersion });
    load.start(4);
    browser = await Browser.launch();
    page = browser.page;
    page.setDefaultTimeout(30_000);
  }, 180_000);

  afterAll(async () => {
    await load?.stop();
    await browser?.close();
    gm.cleanup();
  }, 60_000);

  it('creates reviews v2 with the Automatic strategy and follows it to Succeeded on the release page', async () => {
    await page.goto(`${gm.apiUrl}/`);
    await logIn(page, 'admin', gm.adminCredential('password'));
    await page.goto(`${gm.apiUrl}/projects/${PROJECT}/grayscale`);
    await page.click(tid('create-job-canary'));
    await page.fill(tid('release-name'), 'reviews-auto');
    await page.click(tid('wizard-next'));
    await page.click(tid('release-service-reviews'));
    await page.click(tid('wizard-next'));
    await page.fill(tid('release-version'), 'v2');
    await page.click(tid('wizard-next'));
    await page.click(tid('strategy-automatic'));
    await page.fill(tid('auto-steps'), '20,50');
    await page.fill(tid('auto-interval'), '2s');
    await page.fill(tid('auto-p99'), '2000');
    await page.fill(tid('auto-min-requests'), '5');
    await screenshot(page, SHOTS, '20-automatic-strategy');
    await page.click(tid('wizard-create'));
    await page.waitForURL('**/grayscale/reviews-auto', { timeout: 60_000 });
    await page.waitForSelector(`${tid('analysis-timeline')} li[data-state="done"]`);
    await page.waitForSelector(`${tid('analysis-checks')} .verdict-pass`);
    await screenshot(page, SHOTS, '21-automatic-progress');
    await page.waitForSelector(`${tid('release-phase')}:text-is("Succeeded")`, { timeout: 60_000 });
    const states = await page.$$eval(`${tid('analysis-timeline')} li`, (els) => els.map((e) => e.getAttribute('data-state')));
    expect(states).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(await page.textContent(tid('weight-v2'))).toBe('100%');
    expect(await page.isDisabled(tid('release-promote'))).toBe(true);
    await screenshot(page, SHOTS, '22-automatic-succeeded');
    expect(load.failures).toEqual([]);
  }, 120_000);
});
