// Foundation browser test: health check, login, language switch (en/ru), member list,
// member page, adding a focal point. Runs against `accord serve --demo` on a fresh
// SQLite database; see e2e/helpers.mjs.
//
//   ACCORD_BIN=target/debug/accord node --test e2e/
//
// Steps share one server and one browser page and run in order. When a step fails,
// the later ones that depend on it fail too with "not run: earlier step ... failed"
// (nothing is skipped silently). Screenshots and, on failure, the page's HTML and the server
// log go to e2e/artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, saveArtifact, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

const DEMO_USER = { username: 'kaz.admin', password: 'accord-demo' };
const SEEDED_MEMBER_COUNT = 30;
const CYRILLIC = /[\u0400-\u04FF]/;
const FOCAL_POINT = {
  name: 'Aigerim Test',
  title: 'Head of Unit',
  agency: 'Financial Monitoring Agency',
  languages: 'kk, ru, en',
  email: 'aigerim.test@example.kz',
  phone: '+7 7172 00 00 00',
  last_verified: '2026-11-01',
};

describe('foundation', () => {
  let server;
  let context;
  let page;
  let failedStep = null;
  const pageErrors = [];

  // step(): later steps depend on it, so after it fails they fail at once with
  // "not run: earlier step ... failed" (a failure, not a skip).
  // check(): a verification later steps do not depend on; its failure is reported
  // but does not stop the chain.
  // Both refuse to run after a failed step, and save a screenshot + HTML on failure.
  const run = (name, fn, blocking) =>
    it(name, async () => {
      if (failedStep) throw new Error(`not run: earlier step "${failedStep}" failed`);
      try {
        await fn();
      } catch (err) {
        if (blocking) failedStep = name;
        await saveFailureArtifacts(page, name);
        throw err;
      }
    });
  const step = (name, fn) => run(name, fn, true);
  const check = (name, fn) => run(name, fn, false);

  before(async () => {
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console.error: ${msg.text()}`);
    });
  });

  after(async () => {
    if (pageErrors.length) saveArtifact('foundation-browser-errors.log', pageErrors.join('\n') + '\n');
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'foundation-server' });
  });

  const path = () => new URL(page.url()).pathname;
  const htmlLang = () => page.evaluate(() => document.documentElement.lang);
  const waitForLang = (lang) =>
    page.waitForFunction((l) => document.documentElement.lang === l, lang).catch(async () => {
      throw new Error(`<html lang> did not become "${lang}" (is "${await htmlLang()}") on ${page.url()}`);
    });
  const submitButton = (form) =>
    form.locator('button[type="submit"], input[type="submit"], button:not([type])').first();

  check('GET /healthz answers 200', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200, `GET /healthz answered ${res.status}`);
  });

  step('/login has a username/password form', async () => {
    const res = await page.goto(`${server.url}/login`);
    assert.equal(res?.status(), 200, `GET /login answered ${res?.status()}`);
    const form = page.locator('form:has(input[name="username"])');
    assert.equal(await form.count(), 1, 'expected one form with input[name="username"] on /login');
    assert.equal(await form.locator('input[name="password"]').count(), 1, 'login form lacks input[name="password"]');
    assert.equal(await form.locator('input[name="password"]').getAttribute('type'), 'password');
    assert.ok((await submitButton(form).count()) > 0, 'login form has no submit button');
  });

  step(`logging in as ${DEMO_USER.username} / ${DEMO_USER.password} leaves /login`, async () => {
    const form = page.locator('form:has(input[name="username"])');
    await form.locator('input[name="username"]').fill(DEMO_USER.username);
    await form.locator('input[name="password"]').fill(DEMO_USER.password);
    await submitButton(form).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 }).catch(() => {
      throw new Error(`still on ${page.url()} after submitting the login form (wrong demo credentials?)`);
    });
    await page.waitForLoadState('load');
  });

  check(`the <header> shows ${DEMO_USER.username}`, async () => {
    const header = page.locator('header').first();
    await header.waitFor();
    const text = await header.innerText();
    assert.ok(text.includes(DEMO_USER.username), `<header> does not show "${DEMO_USER.username}": ${JSON.stringify(text)}`);
    await screenshot(page, 'foundation-en-home');
  });

  check('the start page lists what waits for the user, each item a link to where it is done', async () => {
    await page.goto(`${server.url}/`);
    const section = page.locator('section.waiting');
    await section.waitFor();
    const text = await section.innerText();
    assert.ok(text.includes('Waiting for you'), `no "Waiting for you" on the start page: ${JSON.stringify(text)}`);
    // The demo's open round asks Kazakhstan for reports it has not all submitted.
    assert.ok(text.includes('Reports due in open rounds'), `no reports due for ${DEMO_USER.username}: ${JSON.stringify(text)}`);
    const round = section.locator('a[href^="/rounds/"]').first();
    const href = await round.getAttribute('href');
    await round.click();
    await page.waitForURL((u) => u.pathname === href);
    await page.goto(`${server.url}/`);
  });

  check('on a phone the navigation folds behind a Menu button that opens it', async () => {
    const wide = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/`);
      const nav = page.locator('nav#site-nav');
      const button = page.locator('header button.menu');
      assert.ok(await button.isVisible(), 'no visible Menu button at 390 px');
      assert.ok(!(await nav.isVisible()), 'the navigation is open before the Menu button is pressed');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      const members = nav.locator('a[href="/members"]');
      assert.ok(await members.isVisible(), 'the Members link is not shown once the menu is open');
      await screenshot(page, 'foundation-en-menu-390');
      await members.click();
      await page.waitForURL((u) => u.pathname === '/members');
    } finally {
      await page.setViewportSize(wide);
    }
    await page.goto(`${server.url}/`);
    assert.ok(!(await page.locator('header button.menu').isVisible()), 'a Menu button on a wide screen');
  });

  step('language switch: links with hreflang ru and en', async () => {
    assert.ok((await page.locator('a[hreflang="ru"]').count()) > 0, 'no a[hreflang="ru"] on the page');
    assert.ok((await page.locator('a[hreflang="en"]').count()) > 0, 'no a[hreflang="en"] on the page');
  });

  step('switching to Russian sets <html lang="ru"> and shows Cyrillic navigation', async () => {
    await page.locator('a[hreflang="ru"]').first().click();
    await waitForLang('ru');
    await page.waitForLoadState('load');
    const body = await page.locator('body').innerText();
    assert.match(body, CYRILLIC, 'no Cyrillic text on the page after switching to Russian');
    const nav = await page.locator('nav').first().innerText();
    assert.ok(nav.includes('Участники'), `navigation does not contain "Участники": ${JSON.stringify(nav)}`);
    await screenshot(page, 'foundation-ru-home');
  });

  step('/members in Russian lists Казахстан (KAZ)', async () => {
    await page.locator('nav a', { hasText: 'Участники' }).first().click();
    await page.waitForURL((u) => u.pathname === '/members');
    assert.equal(await htmlLang(), 'ru', 'the Russian UI was lost when following the navigation link');
    const row = page.locator('table tr:has(td)').filter({ hasText: 'KAZ' }).first();
    await row.waitFor();
    const text = await row.innerText();
    assert.ok(text.includes('Казахстан'), `KAZ row in the Russian UI lacks "Казахстан": ${JSON.stringify(text)}`);
    await screenshot(page, 'foundation-ru-members');
  });

  step(`/members in English lists ${SEEDED_MEMBER_COUNT} members incl. KAZ Kazakhstan`, async () => {
    await page.locator('a[hreflang="en"]').first().click();
    await waitForLang('en');
    if (path() !== '/members') {
      await page.locator('nav a', { hasText: 'Members' }).first().click();
      await page.waitForURL((u) => u.pathname === '/members');
    }
    const rows = page.locator('table tr:has(td)');
    await rows.first().waitFor();
    assert.equal(await rows.count(), SEEDED_MEMBER_COUNT, `expected ${SEEDED_MEMBER_COUNT} member rows in the table`);
    const kaz = rows.filter({ hasText: 'KAZ' }).filter({ hasText: 'Kazakhstan' });
    assert.equal(await kaz.count(), 1, 'expected exactly one row with "KAZ" and "Kazakhstan"');
    await screenshot(page, 'foundation-en-members');
  });

  step('clicking Kazakhstan opens /members/KAZ', async () => {
    const kaz = page.locator('table tr:has(td)').filter({ hasText: 'KAZ' }).filter({ hasText: 'Kazakhstan' });
    await kaz.getByRole('link', { name: 'Kazakhstan' }).first().click();
    await page.waitForURL((u) => u.pathname === '/members/KAZ');
    assert.ok((await page.locator('body').innerText()).includes('Kazakhstan'), '/members/KAZ does not show "Kazakhstan"');
    await screenshot(page, 'foundation-en-member-kaz');
  });

  step('/members/KAZ links to the new-focal-point form with the expected fields', async () => {
    const link = page.locator('a[href*="/members/KAZ/focal-points/new"]').first();
    assert.ok((await link.count()) > 0, 'no link to /members/KAZ/focal-points/new on /members/KAZ');
    await link.click();
    await page.waitForURL((u) => u.pathname === '/members/KAZ/focal-points/new');
    const form = page.locator('form:has(input[name="name"])');
    assert.equal(await form.count(), 1, 'expected one form with input[name="name"]');
    for (const field of Object.keys(FOCAL_POINT)) {
      assert.equal(await form.locator(`[name="${field}"]`).count(), 1, `focal point form lacks a field named "${field}"`);
    }
    assert.equal(await form.locator('input[name="last_verified"]').getAttribute('type'), 'date', 'last_verified is not type=date');
    assert.ok((await submitButton(form).count()) > 0, 'focal point form has no submit button');
    await screenshot(page, 'foundation-en-focal-point-form');
  });

  step('submitting "Aigerim Test" shows the focal point on /members/KAZ', async () => {
    const form = page.locator('form:has(input[name="name"])');
    for (const [field, value] of Object.entries(FOCAL_POINT)) {
      await form.locator(`[name="${field}"]`).fill(value);
    }
    await submitButton(form).click();
    await page.waitForURL((u) => u.pathname === '/members/KAZ').catch(async () => {
      const body = await page.locator('body').innerText().catch(() => '');
      throw new Error(`after submitting, the browser is on ${page.url()}, not /members/KAZ. Page text:\n${body.slice(0, 2000)}`);
    });
    await page.waitForLoadState('load');
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(FOCAL_POINT.name), `/members/KAZ does not show "${FOCAL_POINT.name}" after adding it`);
    await screenshot(page, 'foundation-en-member-kaz-with-focal-point');
  });
});
