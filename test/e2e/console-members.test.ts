/**
 * Accounts and members in the web console, in Debian's Chromium: the admin
 * creates the user `reviewer` on Platform › Accounts and adds them to
 * demo-project as project-viewer in Project Members; reviewer logs in, reads
 * the applications, and is refused when switching Application Governance,
 * with the API's own sentence. Screenshots 18 and 19 go to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Browser, hasChromium, logIn, screenshot, tid } from '../helpers/browser.js';
import { Instance, ROOT } from '../helpers/instance.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const PROJECT = 'demo-project';
const REVIEWER = 'reviewer';
const REVIEWER_PASSWORD = 'reviewer-pass-1';

describe.skipIf(!hasChromium())('web console: accounts, members and roles', () => {
  const gm = new Instance();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample']);
    expect(up.code, up.stderr).toBe(0);
    browser = await Browser.launch();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    gm.cleanup();
  }, 60_000);

  it('the admin creates reviewer on Platform › Accounts', async () => {
    const password = gm.adminCredential('password');
    expect(password, 'admin password in admin-credentials').toBeTruthy();
    await page.goto(`${gm.apiUrl}/`);
    await logIn(page, 'admin', password);
    await page.click(tid('nav-accounts'));
    await page.click(tid('create-user'));
    await page.fill(tid('create-user-name'), REVIEWER);
    await page.fill(tid('create-user-password'), REVIEWER_PASSWORD);
    await page.click(tid('create-user-submit'));
    await page.waitForSelector(tid(`user-row-${REVIEWER}`));
    expect(await page.textContent(tid(`user-row-${REVIEWER}`))).toContain('platform-regular');
    await screenshot(page, SHOTS, '19-accounts');
  });

  it('the admin deploys Bookinfo and adds reviewer to the project as project-viewer', async () => {
    // Deploy Sample Application creates the project with Bookinfo inside.
    await page.goto(`${gm.apiUrl}/projects/${PROJECT}/applications`);
    await page.click(tid('deploy-sample'));
    await page.click(tid('wizard-next'));
    await page.click(tid('wizard-next'));
    await page.click(tid('wizard-create'));
    await page.waitForSelector(tid('app-link-bookinfo'), { timeout: 30_000 });

    await page.click(tid('nav-members'));
    await page.click(tid('invite-member'));
    await page.fill(tid('invite-user'), REVIEWER);
    await page.check(tid('invite-role-project-viewer'));
    await page.click(tid('invite-next'));
    // The confirm step says what happens before anything changes.
    expect(await page.textContent(tid('member-dialog'))).toContain(`${REVIEWER} joins project ${PROJECT} as project-viewer.`);
    await page.click(tid('member-confirm'));
    await page.waitForSelector(tid(`member-row-${REVIEWER}`));
    expect(await page.inputValue(tid(`member-role-${REVIEWER}`))).toBe('project-viewer');
    await screenshot(page, SHOTS, '18-members');

    // The project's admins see the change in the audit log.
    await page.click(tid('nav-audit'));
    await page.waitForSelector(`${tid('audit-table')} >> text=add a member to project ${PROJECT}, or change their role`);
  });

  it('reviewer reads the applications but may not switch Application Governance', async () => {
    await page.click(tid('logout'));
    await logIn(page, REVIEWER, REVIEWER_PASSWORD);
    await page.click(tid(`project-${PROJECT}`));
    await page.waitForSelector(tid('app-link-bookinfo'));
    // Menus follow the roles in /me: no Accounts, no Audit Log for a viewer.
    expect(await page.locator(tid('nav-accounts')).count()).toBe(0);
    expect(await page.locator(tid('nav-audit')).count()).toBe(0);

    await page.click(tid('nav-settings'));
    const toggle = page.locator(tid('governance-toggle'));
    const before = await toggle.getAttribute('aria-checked');
    await toggle.click();
    await page.waitForSelector('.form-error');
    // The console shows the refusal as the API words it: ask the API the same with reviewer's session.
    const token = (await page.evaluate('localStorage.getItem("graymesh.token")')) as string;
    const res = await fetch(`${gm.apiUrl}/api/v1/projects/${PROJECT}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ governance: false }),
    });
    const refusal = { status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message };
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(new RegExp(`^${REVIEWER} may not change the settings of project ${PROJECT}: that needs project-admin`));
    expect(await page.textContent('.form-error')).toBe(refusal.message);
    expect(await toggle.getAttribute('aria-checked')).toBe(before);
  });
});
