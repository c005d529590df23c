// The knowledge library in a browser: an analyst drafts a TLP:AMBER item
// for a sharing group (a refused form keeps what was typed), a colleague
// approves it from the review queue, a member of the group finds it by
// another Russian word form, and a member outside the group finds nothing
// and no count. Then the search and an item in English and Russian at
// desktop and phone widths.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

const TITLE = 'Надзор за вербовкой в колониях';

describe('library', () => {
  let server;
  let context;
  let page;
  let failedStep = null;
  let itemUrl = null;

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

  before(async () => {
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'library-server' });
  });

  step('an analyst drafts an AMBER item for a sharing group; a refused form keeps the input', async () => {
    await signIn('kaz.analyst');
    await page.goto(`${server.url}/library/new?lang=en`);
    await page.selectOption('[name="kind"]', 'report');
    await page.selectOption('[name="marking"]', 'AMBER');
    await page.selectOption('[name="distribution"]', 'group');
    // No group chosen yet: refused, with what was typed kept.
    await page.fill('[name="versions[0].lang"]', 'ru');
    await page.fill('[name="versions[0].title"]', TITLE);
    await page.fill('[name="versions[0].body"]', 'Надзиратели замечают вербовку осуждённых первыми.');
    await page.fill('[name="versions[1].lang"]', '');
    await page.click('form.item-form button[type="submit"]');
    await page.waitForLoadState('load');
    const alert = await page.locator('[role="alert"]').innerText();
    assert.ok(alert.includes('choose a sharing group'), alert);
    assert.equal(await page.inputValue('[name="versions[0].title"]'), TITLE);
    const option = page.locator('select[name="group"] option', { hasText: 'Prisons and rehabilitation' });
    await page.selectOption('[name="group"]', await option.getAttribute('value'));
    await page.click('form.item-form button[type="submit"]');
    await page.waitForURL((u) => /^\/library\/\d+$/.test(u.pathname));
    itemUrl = new URL(page.url()).pathname;
    await page.click(`form[action="${itemUrl}/submit"] button`);
    await page.waitForURL((u) => u.pathname === itemUrl);
    assert.ok((await page.locator('main').innerText()).includes('In review'));
  });

  step('a colleague approves it from the review queue', async () => {
    await signIn('kaz.admin');
    await page.goto(`${server.url}/library/review?lang=en`);
    await page.click(`a[href="${itemUrl}"]`);
    await page.click(`form[action="${itemUrl}/approve"] button`);
    await page.waitForURL((u) => u.pathname === itemUrl);
    assert.ok((await page.locator('main').innerText()).includes('Published'));
  });

  step('a member of the group finds it by another word form', async () => {
    await signIn('kgz.admin');
    await page.goto(`${server.url}/library?lang=ru&q=${encodeURIComponent('надзирателями')}`);
    const results = await page.locator('ol.results').innerText();
    assert.ok(results.includes(TITLE), results);
    assert.ok((await page.locator('#total').innerText()).includes('Найдено: 1'));
    await screenshot(page, 'library-ru-found');
  });

  step('a member outside the group finds nothing and no count', async () => {
    await signIn('uzb.admin');
    await page.goto(`${server.url}/library?lang=ru&q=${encodeURIComponent('надзирателями')}`);
    const main = await page.locator('main').innerText();
    assert.ok(!main.includes(TITLE), main);
    assert.ok((await page.locator('#total').innerText()).includes('Найдено: 0'));
    const item = await page.goto(`${server.url}${itemUrl}`);
    assert.equal(item.status(), 404);
  });

  for (const lang of ['en', 'ru']) {
    for (const width of [1280, 390]) {
      step(`the library and a counter-narrative in ${lang} at ${width} px`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await signIn('kaz.analyst');
        await page.goto(`${server.url}/library?lang=${lang}`);
        await screenshot(page, `library-${lang}-${width}-search`);
        await page.goto(`${server.url}/library?lang=${lang}&kind=counter-narrative`);
        await page.click('ol.results a >> nth=0');
        await page.waitForLoadState('load');
        assert.equal(await page.locator('figure.chart svg').count(), 1, 'the reach chart');
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        assert.ok(!wide, 'no sideways scrolling');
        await screenshot(page, `library-${lang}-${width}-counter-narrative`);
      });
    }
  }
});
