/**
 * The web console end to end, in Debian's Chromium: the tutorial as a
 * KubeSphere user walks it. Log in, deploy Bookinfo, open it through the
 * gateway, create the 50/50 canary for reviews v2, see both versions, see the
 * topology with traffic, open a trace, take over, take v1 offline. A
 * screenshot of each step goes to docs/screenshots/ (the README shows them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Browser, hasChromium, screenshot, tid } from '../helpers/browser.js';
import { Instance, ROOT, eventually } from '../helpers/instance.js';
import { GatewayClient, Load, productpageVersion } from '../helpers/load.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const PROJECT = 'demo-project';
const HOST = `productpage.${PROJECT}.localhost`;
const STEP = 60_000;


/** Waits until the element's whole text is `text` (the page polls the API, so it gets there by itself). */
async function waitForText(page: Page, selector: string, text: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`${selector}:text-is("${text}")`, { timeout });
}

describe.skipIf(!hasChromium())('web console: the tutorial in a browser', () => {
  const gm = new Instance();
  let browser: Browser;
  let page: Page;
  let visit: Page | undefined;
  let load: Load | undefined;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample']);
    expect(up.code, up.stderr).toBe(0);
    browser = await Browser.launch();
    page = browser.page;
    page.setDefaultTimeout(30_000);
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await browser?.close();
    gm.cleanup();
  }, 60_000);

  it(
    'logs in with the admin account and creates the project',
    async () => {
      const password = gm.adminCredential('password');
      expect(password, 'admin password in admin-credentials').toBeTruthy();
      await page.goto(`${gm.apiUrl}/`);
      await page.waitForSelector(tid('login-username'));
      await page.fill(tid('login-username'), 'admin');
      await page.fill(tid('login-password'), password);
      await screenshot(page, SHOTS, '01-login');
      await page.click(tid('login-submit'));
      await page.click(tid('create-project'));
      await page.fill(tid('create-project-name'), PROJECT);
      await page.click(tid('create-project-submit'));
      await page.waitForURL(`**/projects/${PROJECT}/applications`);
      // The tutorial's prerequisite: Application Governance on (Project Settings › Advanced Settings).
      await page.click(tid('nav-settings'));
      const toggle = page.locator(tid('governance-toggle'));
      if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
      await eventually(async () => (await toggle.getAttribute('aria-checked')) === 'true');
      await screenshot(page, SHOTS, '02-governance');
    },
    STEP,
  );

  it(
    'deploys Bookinfo with the sample wizard and sees every workload running',
    async () => {
      await page.click(tid('nav-applications'));
      await page.click(tid('deploy-sample'));
      await page.click(tid('wizard-next'));
      await page.click(tid('wizard-next'));
      await screenshot(page, SHOTS, '03-deploy-sample');
      await page.click(tid('wizard-create'));
      await page.waitForSelector(tid('app-link-bookinfo'));
      await waitForText(page, tid('app-status-bookinfo'), 'Ready', 60_000);
      await screenshot(page, SHOTS, '04-applications');
    },
    90_000,
  );

  it(
    'opens the app and visits it through the gateway',
    async () => {
      await page.click(tid('app-link-bookinfo'));
      await page.waitForSelector(tid('click-to-visit'));
      expect(await page.textContent(tid('access-url'))).toBe(`http://${HOST}:${gm.gatewayPort}/productpage`);
      for (const w of ['productpage-v1', 'details-v1', 'reviews-v1', 'ratings-v1']) {
        await waitForText(page, tid(`workload-status-${w}`), 'Running');
      }
      await screenshot(page, SHOTS, '05-bookinfo');
      const [popup] = await Promise.all([browser.context.waitForEvent('page'), page.click(tid('click-to-visit'))]);
      visit = popup;
      await visit.waitForLoadState();
      await visit.waitForSelector('text=The Comedy of Errors');
      await screenshot(visit, SHOTS, '06-productpage');
    },
    STEP,
  );

  it(
    'creates the 50/50 canary release of reviews v2 with the wizard',
    async () => {
      await page.bringToFront();
      await page.click(tid('nav-grayscale'));
      await page.waitForSelector(tid('create-job-canary'));
      await screenshot(page, SHOTS, '07-release-modes');
      await page.click(tid('create-job-canary'));
      await page.fill(tid('release-name'), 'canary-release');
      await page.click(tid('wizard-next'));
      await page.click(tid('release-service-reviews'));
      await page.click(tid('wizard-next'));
      await page.fill(tid('release-version'), 'v2');
      // The image is proposed from v1's, as KubeSphere does (v1 changed to v2).
      expect(await page.inputValue(tid('release-image'))).toBe('kubesphere/examples-bookinfo-reviews-v2:1.13.0');
      await page.click(tid('wizard-next'));
      expect(await page.getAttribute(tid('traffic-slider'), 'aria-valuenow')).toBe('50');
      await screenshot(page, SHOTS, '08-canary-strategy');
      await page.click(tid('wizard-create'));
      await page.waitForURL('**/grayscale/canary-release', { timeout: 60_000 });
      await waitForText(page, tid('weight-v2'), '50%');
      expect(await page.textContent(tid('weight-v1'))).toBe('50%');
      await screenshot(page, SHOTS, '09-canary-job');
    },
    90_000,
  );

  it(
    'sees both versions in the page',
    async () => {
      const seen = new Set<string>();
      const gw = new GatewayClient(gm.gatewayPort);
      try {
        await eventually(async () => {
          const r = await gw.request(HOST, '/productpage');
          const v = productpageVersion(r.status, r.body);
          if (v) seen.add(v);
          return seen.has('v1') && seen.has('v2');
        }, 30_000);
      } finally {
        gw.close();
      }
      // And in the browser: refresh until the page shows v2's black stars.
      const tab = visit!;
      await tab.bringToFront();
      await eventually(async () => {
        await tab.reload();
        return /reviews-v2-/.test(await tab.content());
      }, 30_000);
      await screenshot(tab, SHOTS, '10-productpage-v2');
    },
    STEP,
  );

  it(
    'shows the topology with traffic, and a node\'s charts',
    async () => {
      load = new Load({ port: gm.gatewayPort, host: HOST, path: '/productpage?u=normal', version: productpageVersion });
      load.start(2);
      await page.bringToFront();
      await page.click(tid('nav-topology'));
      await page.selectOption(tid('refresh-select'), '5');
      const reviews = page.locator('[data-testid^="node-workload:reviews-v2"]');
      await reviews.waitFor({ timeout: 45_000 });
      await page.waitForSelector('[data-testid^="edge-"] text:has-text("rps")', { timeout: 45_000 });
      await screenshot(page, SHOTS, '11-topology');
      await reviews.first().click();
      await page.waitForSelector(tid('node-panel'));
      expect(page.url()).toContain('node=');
      await page.waitForTimeout(1500);
      await screenshot(page, SHOTS, '12-topology-node');
    },
    90_000,
  );

  it(
    'finds a trace and opens its waterfall and a span\'s process',
    async () => {
      await page.click(tid('nav-tracing'));
      await page.selectOption(tid('trace-service'), 'productpage');
      await page.click(tid('trace-search'));
      await page.waitForSelector(tid('trace-row-0'), { timeout: 30_000 });
      await screenshot(page, SHOTS, '13-traces');
      await page.click(tid('trace-row-0'));
      await page.waitForSelector(tid('waterfall'));
      const spans = page.locator('[data-testid^="span-row-"]');
      expect(await spans.count()).toBeGreaterThan(3);
      await spans.nth(1).click();
      await page.waitForSelector(tid('span-details'));
      expect(await page.textContent(tid('span-process'))).toMatch(/productpage-v1-|reviews-|details-v1-|ratings-v1-/);
      await screenshot(page, SHOTS, '14-trace');
    },
    STEP,
  );

  it(
    'lets reviews v2 take over all traffic',
    async () => {
      await page.click(tid('nav-grayscale'));
      await page.click(tid('release-link-canary-release'));
      await page.click(tid('takeover-v2'));
      await page.click(tid('op-confirm'));
      // The release shows the new weights once every proxy enforces them: a request sent from now on goes to v2.
      await waitForText(page, tid('weight-v2'), '100%', 60_000);
      load!.reset();
      await eventually(() => (load!.seen.get('v2') ?? 0) >= 10, 30_000);
      expect(load!.seen.get('v1') ?? 0).toBe(0);
      await screenshot(page, SHOTS, '15-takeover');
    },
    90_000,
  );

  it(
    'takes v1 offline, leaving v2 serving everything',
    async () => {
      await page.click(tid('release-offline'));
      await page.click(tid('op-confirm'));
      await page.waitForSelector(tid('release-gone'), { timeout: 60_000 });
      await screenshot(page, SHOTS, '16-offline');
      await page.click(tid('nav-workloads'));
      await page.waitForSelector(tid('workload-row-reviews-v2'));
      await eventually(async () => (await page.locator(tid('workload-row-reviews-v1')).count()) === 0, 30_000);
      await screenshot(page, SHOTS, '17-workloads');
      // v1 left every proxy's endpoints before its workload went: a request sent from now on goes to v2.
      load!.reset();
      await eventually(() => (load!.seen.get('v2') ?? 0) >= 10, 30_000);
      expect(load!.seen.get('v1') ?? 0).toBe(0);
      await load!.stop();
      load = undefined;
    },
    90_000,
  );
});
