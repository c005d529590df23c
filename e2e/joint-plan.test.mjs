// A full reporting round of the Joint Plan in the browser: the secretariat
// opens a round, a Kazakh analyst drafts a report, Kazakhstan's administrator
// submits it (separation of duties: two people), and the public matrix, the
// chart and the CSV export show it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

const ROUND = 'e2e-2027';
const NARRATIVE = 'Focal points for countering extremism named in all 17 regions.';

describe('joint plan', () => {
  let server;
  let context;
  let page;
  let failedStep = null;

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

  const reportUrl = () => `${server.url}/rounds/${ROUND}/reports/KAZ/astana2015.step.1`;

  before(async () => {
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'joint-plan-server' });
  });

  step('the secretariat opens a reporting round on two concrete steps', async () => {
    await signIn('secretariat');
    await page.goto(`${server.url}/rounds/new`);
    await page.fill('input[name="id"]', ROUND);
    await page.fill('input[name="name"]', 'Review before the 2027 ministerial');
    await page.fill('input[name="period_start"]', '2027-01-01');
    await page.fill('input[name="period_end"]', '2027-06-30');
    await page.fill('input[name="deadline"]', '2099-12-31');
    await page.check('input[name="commitments"][value="astana2015.step.1"]');
    await page.check('input[name="commitments"][value="astana2015.step.2"]');
    // The regional states are asked by default.
    assert.ok(await page.isChecked('input[name="members"][value="KAZ"]'));
    // Opening a round notifies every member asked: the page asks first.
    let asked = '';
    page.once('dialog', async (dialog) => {
      asked = dialog.message();
      await dialog.accept();
    });
    await page.click('form[action="/rounds/new"] button[type="submit"]');
    await page.waitForURL(`${server.url}/rounds/${ROUND}`);
    assert.ok(asked.includes('Every member asked is notified'), `no confirmation asked: ${JSON.stringify(asked)}`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('Review before the 2027 ministerial'), text);
  });

  step('a Kazakh analyst is notified and drafts the report', async () => {
    await signIn('kaz.analyst');
    await page.goto(`${server.url}/notifications`);
    assert.ok((await page.locator('main').innerText()).includes('reporting round was opened'));
    await page.goto(`${server.url}/rounds/${ROUND}`);
    await page.click(`a[href="/rounds/${ROUND}/reports/KAZ/astana2015.step.1"] >> text=Open`);
    await page.waitForURL(reportUrl());
    await page.selectOption('select[name="status"]', 'implemented');
    await page.fill('textarea[name="narrative"]', NARRATIVE);
    await page.locator('input[name="indicator_label"]').first().fill('focal points named');
    await page.locator('input[name="indicator_value"]').first().fill('17');
    await page.locator('input[name="indicator_unit"]').first().fill('people');
    await page.fill('textarea[name="agencies"]', 'Agency for Religious Affairs');
    await page.selectOption('select[name="tlp"]', 'CLEAR');
    await page.click('form[action$="/draft"] button[type="submit"]');
    await page.waitForURL(reportUrl());
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(NARRATIVE) && text.includes('17 people (focal points named)'), text);
    // Contributors draft; only the administrator submits.
    assert.equal(await page.locator('form[action$="/submit"]').count(), 0);
    await screenshot(page, 'joint-plan-en-draft');
  });

  step("Kazakhstan's administrator submits it", async () => {
    await signIn('kaz.admin');
    await page.goto(reportUrl());
    await page.click('form[action$="/submit"] button[type="submit"]');
    await page.waitForURL(reportUrl());
    assert.ok((await page.locator('main').innerText()).includes('submitted by kaz.admin'));
  });

  step('anyone sees the matrix and the chart updated, and the CSV has the row', async () => {
    await context.clearCookies();
    await page.goto(`${server.url}/rounds/${ROUND}`);
    const row = page.locator('table.matrix tbody tr', { has: page.locator('th >> text=KAZ') });
    assert.equal((await row.locator('td').first().innerText()).trim(), 'Implemented');
    assert.equal(await row.locator('td').first().getAttribute('class'), 'cell cell-implemented');
    const kgz = page.locator('table.matrix tbody tr', { has: page.locator('th >> text=KGZ') });
    assert.equal((await kgz.locator('td').first().innerText()).trim(), 'Not yet reported');
    const chart = await page.locator('figure.chart svg').first().innerHTML();
    assert.ok(chart.includes('KAZ') && chart.includes('50% impl.'), chart.slice(0, 400));
    await screenshot(page, 'joint-plan-en-round');
    const csv = await (await page.request.get(`${server.url}/rounds/${ROUND}/matrix.csv`)).text();
    // The round is open: a report not in yet is awaited, not missing.
    assert.ok(csv.split('\n').some((l) => l.startsWith('KAZ,implemented,not_yet_reported')), csv);
    const reports = await (await page.request.get(`${server.url}/rounds/${ROUND}/reports.csv`)).text();
    assert.ok(reports.includes(NARRATIVE), reports);
    await page.goto(`${server.url}/rounds/${ROUND}?lang=ru`);
    assert.ok((await page.locator('main').innerText()).includes('Выполнено'));
    await screenshot(page, 'joint-plan-ru-round');
  });
});
