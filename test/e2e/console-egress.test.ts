/**
 * The outbound traffic policy in the web console, in Debian's Chromium: the admin switches a
 * project to REGISTRY_ONLY on Project Settings › Advanced Settings, the project's annotation
 * says so through the API, and back to ALLOW_ANY. Screenshot 20 goes to docs/screenshots/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, hasChromium, logIn, screenshot, tid } from '../helpers/browser.js';
import { Instance, ROOT } from '../helpers/instance.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const PROJECT = 'egress-demo';

describe.skipIf(!hasChromium())('web console: outbound traffic policy', () => {
  const gm = new Instance();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample']);
    expect(up.code, up.stderr).toBe(0);
    expect(gm.cli(['project', 'create', PROJECT]).code).toBe(0);
    browser = await Browser.launch();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    gm.cleanup();
  }, 60_000);

  /** The project's outbound policy annotation, as the API answers it. */
  const annotation = (): string | undefined =>
    gm.json<{ metadata: { annotations?: Record<string, string> } }>(['get', 'namespace', PROJECT]).metadata.annotations?.['graymesh.dev/outbound-traffic-policy'];

  it('switches the project to REGISTRY_ONLY and back on Advanced Settings', async () => {
    await page.goto(`${gm.apiUrl}/projects/${PROJECT}/applications`);
    await logIn(page, 'admin', gm.adminCredential('password'));
    await page.click(tid('nav-settings'));
    const select = page.locator(tid('outbound-policy'));
    expect(await select.inputValue()).toBe('ALLOW_ANY');
    await select.selectOption('REGISTRY_ONLY');
    await page.waitForSelector(`${tid('outbound-policy-saved')}:has-text("REGISTRY_ONLY: workloads reach only hosts the mesh or a ServiceEntry declares")`);
    expect(annotation()).toBe('REGISTRY_ONLY');
    await screenshot(page, SHOTS, '20-outbound-policy');
    await select.selectOption('ALLOW_ANY');
    await page.waitForSelector(`${tid('outbound-policy-saved')}:has-text("ALLOW_ANY: workloads reach any host")`);
    expect(annotation()).toBe('ALLOW_ANY');
  });
});
