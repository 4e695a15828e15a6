/**
 * The Deploy Sample wizard's second sample, in Debian's Chromium: the admin
 * picks grpc-greeter, the steps show its image, port and gRPC method, Create
 * deploys it, and the app comes up Ready; a grpc-js client then calls it
 * through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Browser, hasChromium, logIn, tid } from '../helpers/browser.js';
import { Instance } from '../helpers/instance.js';
import { greeterClient, sayHello } from '../helpers/grpc-load.js';

const PROJECT = 'grpc-console';

describe.skipIf(!hasChromium())('web console: deploy the gRPC Greeter sample', () => {
  const gm = new Instance();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample']);
    expect(up.code, up.stderr).toBe(0);
    browser = await Browser.launch();
    page = browser.page;
    page.setDefaultTimeout(30_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    gm.cleanup();
  }, 60_000);

  it('picks grpc-greeter in the wizard, deploys it, and the Greeter answers through the gateway', async () => {
    await page.goto(`${gm.apiUrl}/`);
    await logIn(page, 'admin', gm.adminCredential('password'));
    await page.goto(`${gm.apiUrl}/projects/${PROJECT}/applications`);
    await page.click(tid('deploy-sample'));
    await page.check(tid('sample-grpc-greeter'));
    expect(await page.textContent(tid('sample-wizard'))).toContain("gRPC's helloworld Greeter");
    await page.click(tid('wizard-next'));
    expect(await page.textContent(tid('sample-wizard'))).toContain('graymesh/grpc-greeter:v1 · port 50051');
    await page.click(tid('wizard-next'));
    const access = await page.textContent(tid('sample-wizard'));
    expect(access).toContain(`greeter.${PROJECT}.localhost`);
    expect(access).toContain('/helloworld.Greeter/SayHello');
    await page.click(tid('wizard-create'));
    await page.waitForSelector(`${tid('app-status-grpc-greeter')}:text-is("Ready")`, { timeout: 60_000 });
    const client = greeterClient(gm.gatewayPort, `greeter.${PROJECT}.localhost`);
    try {
      expect((await sayHello(client, 'console')).message).toBe('Hello console from greeter-v1');
    } finally {
      client.close();
    }
  }, 90_000);
});
