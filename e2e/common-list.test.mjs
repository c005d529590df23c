// The common list's full round in the browser: Kazakhstan proposes a listing,
// Kyrgyzstan places a hold and lifts it, two states concur and the others stay
// silent; the deadline passes while the server is down (it is restarted with
// its clock 30 days ahead, through libfaketime) and on restart the server
// catches up and adopts the listing by silence; the entry appears on the
// public list and in every export.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, saveFailureArtifacts, screenshot, shiftedClock, startServer } from './helpers.mjs';

const NAME = 'Harakat Al-Example';
const CONCURRING = ['tjk.admin', 'uzb.admin'];

describe('common list', () => {
  let server;
  let context;
  let page;
  let failedStep = null;
  let proposalUrl;

  const step = (name, fn) =>
    it(name, async () => {
      if (failedStep) throw new Error(`not run: earlier step "${failedStep}" failed`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        await saveFailureArtifacts(page, name);
        throw err;
      }
    });

  const signIn = async (username) => {
    await context.clearCookies();
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', 'accord-demo');
    await page.click('form:has(input[name="username"]) button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };

  // A state's decision is signed in the browser with its member's key file
  // (the demo writes each regional state's key into the data folder); the
  // key is read by the page and never uploaded.
  let signedOnce = false;
  const decide = async (member, action, reason = '') => {
    const keyFile = join(server.dataDir, 'demo-member-keys', `${member}.key`);
    // The secret key's line must never appear in anything the page sends.
    const secret = readFileSync(keyFile, 'utf8').split('\n')[1].trim();
    const sent = [];
    const watch = (req) => sent.push(req.postData() ?? '');
    page.on('request', watch);
    await page.goto(proposalUrl);
    if (reason) await page.fill('textarea[name="reason"]', reason);
    await page.click(`button[name="action"][value="${action}"]`);
    await page.waitForURL(/\/decide$/);
    await page.setInputFiles('#key_file', keyFile);
    await page.click('#sign-with-key');
    await page.waitForFunction(() => document.getElementById('signature').value.includes('trusted comment:'));
    if (!signedOnce) {
      signedOnce = true;
      await screenshot(page, 'common-list-en-sign-decision');
    }
    await page.click('form#signed-decision button[type="submit"]');
    await page.waitForURL((u) => u.pathname === new URL(proposalUrl).pathname);
    // The page says the decision was recorded.
    const said = await page.locator('main [role="status"]').first().innerText();
    assert.ok(said.includes("decision was recorded"), `no confirmation of the decision: ${JSON.stringify(said)}`);
    page.off('request', watch);
    assert.ok(sent.length > 0);
    for (const body of sent) {
      assert.ok(!body.includes(secret) && !body.includes(encodeURIComponent(secret)), 'the secret key left the browser');
    }
  };

  before(async () => {
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'common-list-server' });
  });

  step('Kazakhstan proposes a listing with a confidential statement of case', async () => {
    await signIn('kaz.admin');
    await page.goto(`${server.url}/proposals/new`);
    await page.selectOption('select[name="subject_kind"]', 'organization');
    await page.fill('input[name="name"]', NAME);
    await page.fill('input[name="aliases[0].name"]', 'HAE');
    await page.fill('input[name="aliases[1].name"]', 'Харакат аль-Пример');
    await page.fill('input[name="aliases[1].language"]', 'ru');
    await page.selectOption('select[name="aliases[0].quality"]', 'weak');
    await page.fill('input[name="addresses[0].city"]', 'Kunduz');
    await page.fill('input[name="addresses[0].country"]', 'Afghanistan');
    await page.fill('textarea[name="statement_of_case"]', 'Intercepted financing records (confidential).');
    await page.fill('textarea[name="narrative_summary"]', 'Finances attacks in the region.');
    await page.click('form[action="/proposals/new"] button[type="submit"]');
    await page.waitForURL(/\/proposals\/\d+$/);
    proposalUrl = page.url();
    assert.ok((await page.locator('main').innerText()).includes(NAME));
    await screenshot(page, 'common-list-en-proposal');
  });

  step('proposing the same organization again is stopped as a possible duplicate, the input kept', async () => {
    await page.goto(`${server.url}/proposals/new`);
    await page.selectOption('select[name="subject_kind"]', 'organization');
    await page.fill('input[name="name"]', 'Harakat al Example');
    await page.fill('textarea[name="statement_of_case"]', 'Our own records.');
    await page.fill('textarea[name="narrative_summary"]', 'Same group, seen from Almaty.');
    await page.click('form[action="/proposals/new"] button[type="submit"]');
    const panel = page.locator('#possible-duplicates');
    await panel.waitFor();
    const id = proposalUrl.split('/').pop();
    assert.equal(await panel.locator(`a[href="/proposals/${id}"]`).count(), 1);
    assert.equal(await page.inputValue('input[name="name"]'), 'Harakat al Example');
    assert.equal(await page.inputValue('textarea[name="narrative_summary"]'), 'Same group, seen from Almaty.');
    assert.equal(await page.locator('input[name="confirm_not_duplicate"]').isChecked(), false);
    await screenshot(page, 'common-list-en-possible-duplicate');
    // In Russian on a phone: the warning in Russian, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/proposals/new?lang=ru`);
    await page.selectOption('select[name="subject_kind"]', 'organization');
    await page.fill('input[name="name"]', 'Harakat al Example');
    await page.fill('textarea[name="statement_of_case"]', 'Наши записи.');
    await page.fill('textarea[name="narrative_summary"]', 'Та же группа.');
    await page.click('form[action="/proposals/new"] button[type="submit"]');
    await panel.waitFor();
    assert.ok((await panel.innerText()).includes('Идущее предложение'));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `page is ${wide}px wide`);
    await screenshot(page, 'common-list-ru-390-possible-duplicate');
    await page.goto(`${server.url}/proposals?lang=en`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  step('Kyrgyzstan places a hold with reasons, then lifts it', async () => {
    await signIn('kgz.admin');
    await decide('KGZ', 'hold', 'We are checking our own records.');
    assert.ok((await page.locator('main').innerText()).includes('1 on hold'));
    await decide('KGZ', 'lift_hold');
  });

  step('two states concur, the others stay silent: the proposal stays open', async () => {
    for (const user of CONCURRING) {
      await signIn(user);
      await decide(user.slice(0, 3).toUpperCase(), 'concur');
    }
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes('adopted on'), text);
  });

  step('the deadline passes while the server is down; on restart it adopts by silence', async () => {
    const dataDir = server.dataDir;
    await server.stop({ saveLogAs: 'common-list-server-before-restart', keepData: true });
    server = await startServer({ dataDir, env: shiftedClock('+30d') });
    proposalUrl = proposalUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, server.url);
    await signIn('kaz.admin');
    let text = '';
    for (let i = 0; i < 40 && !text.includes('adopted on'); i++) {
      if (i) await new Promise((r) => setTimeout(r, 500));
      await page.goto(proposalUrl);
      text = await page.locator('main').innerText();
    }
    assert.ok(text.includes('adopted on'), text);
    await page.goto(`${proposalUrl}?lang=ru`);
    await screenshot(page, 'common-list-ru-adopted');
    await page.goto(`${proposalUrl}?lang=en`);
  });

  step('the entry is on the public list, with its reasons, for anyone', async () => {
    await context.clearCookies();
    await page.goto(`${server.url}/list`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(NAME) && text.includes('Finances attacks in the region.'), text);
    assert.ok(!text.includes('Intercepted financing records'), 'the statement of case is never published');
    assert.ok(text.includes('Kunduz, Afghanistan'), 'the address is published with the entry');
    await screenshot(page, 'common-list-en-public');
  });

  step("a click on the entry opens the subject's page with its history", async () => {
    await page.goto(`${server.url}/list`);
    await page.click(`main table a:has-text("${NAME}")`);
    await page.waitForURL(/\/list\/ACL-\d{4}$/);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(NAME) && text.includes('Finances attacks in the region.'), text);
    assert.ok(text.includes('On the common list') && text.includes('History'), text);
    assert.ok(!text.includes('Intercepted financing records'), 'the statement of case is never published');
    await screenshot(page, 'common-list-en-entry');
  });

  step('the secretariat changes the procedure rule for new proposals', async () => {
    await signIn('secretariat');
    await page.goto(`${server.url}/procedure`);
    assert.ok((await page.locator('main').innerText()).includes('10 working days'));
    await page.fill('input[name="period_value"]', '12');
    await page.fill('input[name="holidays"], textarea[name="holidays"]', '2026-03-09');
    await page.fill('textarea[name="reason"]', 'Agreed at the annual meeting.');
    await page.click('form[action="/procedure"] button[type="submit"]');
    await page.waitForURL(`${server.url}/procedure`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('12 working days') && text.includes('Agreed at the annual meeting.'), text);
    await screenshot(page, 'common-list-en-procedure');
  });

  step('the secretariat compares subjects on the merge page', async () => {
    await page.goto(`${server.url}/subjects/merge?lang=ru`);
    await page.selectOption('select[name="from"]', 'ACL-0001');
    await page.selectOption('select[name="into"]', 'ACL-0001');
    await page.click('form[action="/subjects/merge"][method="get"] button[type="submit"]');
    await page.waitForURL(/\/subjects\/merge\?/);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('Выберите два разных субъекта'), text);
    await screenshot(page, 'common-list-ru-merge');
    await page.goto(`${server.url}/subjects/merge?lang=en`);
  });

  step('every export carries the entry', async () => {
    for (const [format, needle] of [['csv', NAME], ['ftm', NAME], ['xml', NAME.toUpperCase()], ['stix', NAME]]) {
      const res = await fetch(`${server.url}/api/list/export/${format}`);
      assert.equal(res.status, 200, format);
      assert.ok(res.headers.get('etag'), `${format} has an ETag`);
      const body = await res.text();
      assert.ok(body.includes(needle) || body.includes(NAME), `${format}: ${body.slice(0, 300)}`);
    }
  });
});
