// Smoke test of the browser stack alone (playwright-core + Debian's /usr/bin/chromium),
// no Accord server: when this fails, the problem is the machine, not the app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchBrowser, screenshot } from './helpers.mjs';

test('headless chromium opens a data: URL, clicks, renders Cyrillic', async () => {
  const context = await launchBrowser();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const html =
      '<!doctype html><html lang="ru"><meta charset="utf-8"><h1>Участники</h1>' +
      '<button onclick="this.textContent=\'clicked\'">click me</button></html>';
    await page.goto(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    await page.click('button');
    assert.equal(await page.textContent('button'), 'clicked');
    assert.equal(await page.textContent('h1'), 'Участники');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    await screenshot(page, 'browser-smoke');
  } finally {
    await context.close();
  }
});
