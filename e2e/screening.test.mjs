// Screening browser test: a contributor screens one name typed in Cyrillic, then
// uploads a CSV, watches the job page until it finishes and downloads the results;
// the secretariat imports a new version of the UN list on the reference-lists page.
// The server runs with a few real UN entries (crates/screening/tests/fixtures).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

const UN_FIXTURE = join(REPO_ROOT, 'crates/screening/tests/fixtures/un_screening.xml');
const UN_SAMPLE = join(REPO_ROOT, 'crates/lists/tests/fixtures/un_sample.xml');

describe('screening', () => {
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
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', 'accord-demo');
    await page.click('form:has(input[name="username"]) button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };

  before(async () => {
    // Without the UN list shipped in the binary: the import step below makes version 1.
    server = await startServer({ demo: true, extraArgs: ['--list', UN_FIXTURE, '--no-bundled-lists'] });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'screening-server' });
  });

  step('a name typed in Cyrillic finds the listed entry, with an explanation', async () => {
    await signIn('kaz.analyst');
    await page.goto(`${server.url}/screen`);
    await page.fill('input[name="name"]', 'Мухаммад Тахир');
    await page.click('form[action="/screen"] button[type="submit"]');
    const results = page.locator('section.results table');
    await results.waitFor();
    const text = await results.innerText();
    assert.ok(text.includes('TAi.005'), `expected TAi.005 in the results: ${text}`);
    assert.ok(/(Probable|Possible) match/.test(text), `a plain verdict: ${text}`);
    // The engine's explanation is one click away.
    const explanation = results.locator('details p').first();
    assert.ok(!(await explanation.isVisible()), 'the explanation starts folded');
    await results.locator('details summary').first().click();
    assert.ok(/matched/.test(await explanation.innerText()), 'each result explains itself');
    await screenshot(page, 'screening-en-result');
  });

  step('the screening page is in Russian too', async () => {
    await page.goto(`${server.url}/screen?lang=ru`);
    const body = await page.locator('main').innerText();
    assert.ok(body.includes('Проверка'), body);
    await screenshot(page, 'screening-ru-page');
    await page.goto(`${server.url}/screen?lang=en`);
  });

  step('an uploaded CSV shows progress, finishes and its results download', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-e2e-'));
    const csv = join(dir, 'names.csv');
    writeFileSync(csv, 'id,name,birth_date\n1,Мухаммад Тахир,\n2,Tahir Jalil Habbush,1950\n3,Jane Doe,\n');
    await page.goto(`${server.url}/screen`);
    await page.setInputFiles('input[type="file"][name="file"]', csv);
    await page.click('form[action="/screen/batch"] button[type="submit"]');
    await page.waitForURL((u) => u.pathname.startsWith('/screen/jobs/'));
    const download = page.locator('a[download]');
    await download.waitFor({ timeout: 30_000 });
    await screenshot(page, 'screening-en-batch-done');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const saved = join(dir, 'results.csv');
    await file.saveAs(saved);
    const out = readFileSync(saved, 'utf8');
    assert.ok(out.startsWith('\ufeffid,name,rank,match_id'), out);
    assert.ok(out.includes('TAi.005') && out.includes('IQi.016'), out);
    assert.ok(out.split('\n').some((l) => l.startsWith('3,Jane Doe,,,')), out);
    const summary = await page.locator('.notice').first().innerText();
    assert.ok(summary.includes('3 rows screened: 2 with candidates, 0 could not be screened.'), summary);
  });

  step('a Russian spreadsheet\'s CSV (Windows-1251, semicolons) is read as saved and its candidates shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-e2e-'));
    const csv = join(dir, 'клиенты.csv');
    // "Мухаммад Тахир;Афганистан" etc. in Windows-1251, as Russian-locale Excel saves it.
    const cp1251 = (text) => Buffer.from([...text].map((c) => {
      const code = c.codePointAt(0);
      if (code < 0x80) return code;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      throw new Error(`not in this test's Windows-1251 subset: ${c}`);
    }));
    writeFileSync(csv, cp1251('id;name;country\r\n1;Мухаммад Тахир;Афганистан\r\n2;Иван Петров;\r\n'));
    await page.goto(`${server.url}/screen`);
    await page.setInputFiles('input[type="file"][name="file"]', csv);
    await page.click('form[action="/screen/batch"] button[type="submit"]');
    await page.waitForURL((u) => u.pathname.startsWith('/screen/jobs/'));
    await page.locator('a[download]').waitFor({ timeout: 30_000 });
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('2 rows screened: 1 with candidates, 0 could not be screened.'), main);
    assert.ok(main.includes('Read as CSV in windows-1251, separated by semicolons.'), main);
    const hits = await page.locator('main table').first().innerText();
    assert.ok(hits.includes('Мухаммад Тахир') && hits.includes('TAi.005'), hits);
    await screenshot(page, 'screening-en-batch-1251');
  });

  step('the secretariat imports a version of the UN list and sees its report', async () => {
    await page.goto(`${server.url}/`);
    await page.click('form[action="/logout"] button');
    await signIn('secretariat');
    await page.goto(`${server.url}/lists`);
    await page.setInputFiles('form[action="/lists/import/un"] input[type="file"]', UN_SAMPLE);
    await page.click('form[action="/lists/import/un"] button[type="submit"]');
    await page.locator('.notice.ok').waitFor();
    const notice = await page.locator('.notice.ok').innerText();
    assert.ok(notice.includes('Imported version 1 of un'), notice);
    await screenshot(page, 'screening-en-lists-imported');
  });
});
