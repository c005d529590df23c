// Capacity-building programmes in a browser: a member administrator records
// a training programme with a result period (after a refused form that keeps
// what was typed), submits the period; the commitment page and the round's
// matrix show it; the public IATI file contains it and validates against the
// IATI 2.03 schema; the register and the programme page in English and
// Russian at desktop and phone widths.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

const SCHEMA = join(REPO_ROOT, 'crates/programmes/tests/fixtures/iati-schema/iati-activities-schema.xsd');
const ID = 'kgz-police-training-2026';

describe('programmes', () => {
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

  const fill = async (fields) => {
    for (const [name, value] of Object.entries(fields)) {
      const input = page.locator(`[name="${name}"]`);
      const tag = await input.evaluate((e) => e.tagName);
      if (tag === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
  };

  before(async () => {
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'programmes-server' });
  });

  step('the register shows the demo programmes with totals and a chart', async () => {
    await page.goto(`${server.url}/programmes?lang=en`);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Rights-based CVE training for public servants'), main);
    // Signed out: the AMBER prison programme is not there.
    assert.ok(!main.includes('violent extremist offenders'), 'AMBER programme hidden from the public');
    assert.equal(await page.locator('figure.chart svg').count(), 1);
  });

  step('a member administrator records a programme; a refused form keeps the input', async () => {
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="username"]', 'kgz.admin');
    await page.fill('input[name="password"]', 'accord-demo');
    await page.click('form:has(input[name="username"]) button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/programmes/new?lang=en`);
    await fill({
      id: ID,
      'title[en]': 'Community policing and human rights for police officers',
      'title[ru]': 'Работа полиции с населением и права человека',
      'description[en]': 'Two-week course.\nWith a follow-up visit.',
      kind: 'public_servant_training',
      status: 'implementation',
      planned_start: '2026-01-01',
      planned_end: '2026-12-31',
      'sectors[0].code': '15210',
      'sectors[0].percentage': '60',
      'sectors[1].code': '15130',
      'sectors[1].percentage': '30',
      'results[0].kind': 'output',
      'results[0].title[en]': 'Officers trained',
      'results[0].indicators[0].title[en]': 'Police officers trained',
      'results[0].indicators[0].key': 'public_servants_trained',
      'results[0].indicators[0].counts_people': 'true',
      'results[0].indicators[0].periods[0].start': '2026-01-01',
      'results[0].indicators[0].periods[0].end': '2026-06-30',
      'results[0].indicators[0].periods[0].target.value': '80',
      'results[0].indicators[0].periods[0].actual.value': '75',
      'results[0].indicators[0].periods[0].actual.parts[0].value': '30',
      'results[0].indicators[0].periods[0].actual.parts[1].value': '45',
      'budgets[0].start': '2026-01-01',
      'budgets[0].end': '2026-12-31',
      'budgets[0].amount': '45,000',
      'budgets[0].currency': 'EUR',
      tlp: 'CLEAR',
      publish_iati: 'true',
    });
    await page.check('input[name="commitments"][value="astana2015.step.5"]');
    await page.click('form[action="/programmes/new"] button[type="submit"]');
    await page.waitForLoadState('load');
    const alert = await page.locator('[role="alert"]').innerText();
    assert.ok(alert.includes('the sector percentages add up to 90, not 100'), alert);
    assert.ok(alert.includes('Sector'), `the field is named by its label: ${alert}`);
    assert.ok(!alert.includes('sectors[0]'), alert);
    assert.equal(await page.inputValue('[name="title[en]"]'), 'Community policing and human rights for police officers');
    assert.equal(await page.inputValue('[name="results[0].indicators[0].periods[0].actual.value"]'), '75');
    assert.ok(await page.isChecked('input[name="commitments"][value="astana2015.step.5"]'));
    await screenshot(page, 'programmes-en-refused');
    await fill({ 'sectors[1].percentage': '40' });
    await page.click('form[action="/programmes/new"] button[type="submit"]');
    await page.waitForURL((u) => u.pathname === `/programmes/${ID}`);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Police officers trained'), main);
    assert.ok(main.includes('Draft'), main);
  });

  step('the administrator submits the result period', async () => {
    await page.click(`form[action="/programmes/${ID}/periods/submit"] button`);
    await page.waitForURL((u) => u.pathname === `/programmes/${ID}`);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Submitted'), main);
    assert.equal(await page.locator(`form[action="/programmes/${ID}/periods/correct"]`).count(), 1);
    assert.ok((await page.locator('figure.chart svg').count()) >= 2, 'indicator and budget charts');
    await screenshot(page, 'programmes-en-programme');
  });

  step('the commitment page and the round matrix show it', async () => {
    await page.goto(`${server.url}/commitments/astana2015.step.5?lang=en`);
    const section = await page.locator('main').innerText();
    assert.ok(section.includes('Programmes that implement it'), section);
    assert.ok(section.includes('Community policing and human rights for police officers'), section);
    assert.ok(/75 — Public servants trained|Public servants trained/.test(section), section);
    await page.goto(`${server.url}/rounds/2026-annual?lang=en`);
    const cell = page.locator('table.matrix a.evidence[href*="country=KGZ"][href*="astana2015.step.5"]');
    assert.equal(await cell.count(), 1, 'the KGZ step 5 cell has programme evidence');
    assert.ok((await cell.innerText()).includes('1 programme'), await cell.innerText());
  });

  step('the public IATI file contains it and validates against the schema', async () => {
    const res = await fetch(`${server.url}/api/programmes/iati.xml`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.ok(xml.includes(`<iati-identifier>XI-IATI-ACCORD-${ID}</iati-identifier>`), 'identifier');
    assert.ok(xml.includes('Community policing and human rights for police officers'));
    assert.ok(!xml.includes('violent extremist offenders'), 'the AMBER programme is not published');
    const dir = mkdtempSync(join(tmpdir(), 'accord-e2e-iati-'));
    const file = join(dir, 'activities.xml');
    writeFileSync(file, xml);
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, file], { stdio: 'pipe' });
  });

  step('the register and a programme page in Russian, at phone width too', async () => {
    await page.goto(`${server.url}/programmes/${ID}?lang=ru`);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Работа полиции с населением и права человека'), main);
    assert.ok(main.includes('Представлен'), main);
    await screenshot(page, 'programmes-ru-programme');
    await page.goto(`${server.url}/programmes?lang=ru`);
    assert.ok((await page.locator('h1').innerText()).includes('Программы'));
    await screenshot(page, 'programmes-ru-register');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'programmes-ru-register-390');
    await page.goto(`${server.url}/programmes/${ID}?lang=en`);
    await screenshot(page, 'programmes-en-programme-390');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling at 390 px (${overflow} px)`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
