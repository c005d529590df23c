// API manifest browser test: a border analyst uploads an airline's PAXLST
// manifest on /screen/manifest and sees the listed traveller found by the
// passport number the UN lists for him; a broken file gives an error on the
// form; the page in Russian. The demo server screens against the UN list
// shipped in the binary (data/un/), imported on its first start.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, saveFailureArtifacts, screenshot, startServer } from './helpers.mjs';

/// One PAXLST message as an airline writes it (segment layout as
/// crates/paxlst/src/builder.rs), with the UNT count computed.
function paxlst(travellers) {
  const body = [
    "BGM+745'",
    "NAD+MS+++OPERATIONS DESK'",
    "COM+77170000000:TE'",
    "TDT+20+XA123+++XA'",
    "LOC+125+IST'",
    "DTM+189:2601151400:201'",
    "LOC+87+NQZ'",
    "DTM+232:2601152105:201'",
  ];
  for (const t of travellers) {
    body.push(`NAD+FL+++${t.name}'`);
    if (t.born) body.push(`DTM+329:${t.born}'`);
    if (t.nationality) body.push(`NAT+2+${t.nationality}'`);
    if (t.passport) body.push(`DOC+P:110:111+${t.passport}'`, "DTM+36:300928'", `LOC+91+${t.nationality}'`);
  }
  body.push(`CNT+42:${travellers.length}'`);
  const message = ["UNH+PX0100+PAXLST:D:05B:UN:IATA+XA123/260115+01:F'", ...body];
  message.push(`UNT+${message.length + 1}+PX0100'`);
  return [
    "UNA:+.? '",
    "UNB+UNOA:4+EXAMPLEAIR+KZPIU+260115:0910+000000017++KZPIU'",
    "UNG+PAXLST+EXAMPLEAIR+KZPIU+260115:0910+1+UN+D:05B'",
    ...message,
    "UNE+1+1'",
    "UNZ+1+000000017'",
  ].join('\n');
}

const MANIFEST = paxlst([
  // LYi.023 of the UN list, with the passport number it gives.
  { name: 'AL FITOURI:AHMAD:OUMAR IMHAMAD', born: '880507', nationality: 'LBY', passport: 'LY53FP76' },
  { name: 'EXAMPLOV:ARMAN:BOLATULY', born: '910304', nationality: 'KAZ', passport: 'N00000001' },
]);

describe('manifest screening', () => {
  let server;
  let context;
  let page;
  let dir;
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

  const upload = async (file) => {
    await page.setInputFiles('form[action="/screen/manifest"] input[type="file"]', file);
    await page.click('form[action="/screen/manifest"] button[type="submit"]');
    await page.waitForLoadState('load');
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-e2e-manifest-'));
    server = await startServer({ demo: true });
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close().catch(() => {});
    await server?.stop({ saveLogAs: 'manifest-server' });
  });

  step('the manifest page is linked from /screen', async () => {
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="username"]', 'kaz.analyst');
    await page.fill('input[name="password"]', 'accord-demo');
    await page.click('form:has(input[name="username"]) button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/screen?lang=en`);
    await page.click('a[href="/screen/manifest"]');
    await page.waitForURL((u) => u.pathname === '/screen/manifest');
    const lists = await page.locator('main').innerText();
    assert.ok(/un \(\d+\)/.test(lists), `the bundled UN list is loaded: ${lists}`);
  });

  step('an uploaded manifest shows the flight, the totals and the listed traveller', async () => {
    const file = join(dir, 'XA123.edi');
    writeFileSync(file, MANIFEST);
    await upload(file);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Flight XA123'), main);
    assert.ok(main.includes('2 travellers (2 passengers, 0 crew): 1 with hits, 1 on an exact document number'), main);
    const rows = page.locator('tbody tr');
    const first = await rows.first().innerText();
    assert.ok(first.includes('AHMAD OUMAR IMHAMAD AL FITOURI'), first);
    assert.ok(first.includes('LYi.023'), first);
    assert.ok(first.includes('Exact document number'), first);
    const last = await rows.last().innerText();
    assert.ok(last.includes('ARMAN BOLATULY EXAMPLOV') && last.includes('No hit'), last);
    await screenshot(page, 'manifest-en-result');
  });

  step('the kept record shows the flight and the listed traveller only', async () => {
    await page.click('a[href^="/screen/manifests/"]');
    await page.waitForURL((u) => /^\/screen\/manifests\/\d+$/.test(u.pathname));
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Flight XA123'), main);
    assert.ok(main.includes('AHMAD OUMAR IMHAMAD AL FITOURI') && main.includes('LYi.023'), main);
    assert.ok(!main.includes('EXAMPLOV'), 'a traveller without candidates is not kept');
    await screenshot(page, 'manifest-en-kept');
    await page.goto(`${server.url}/screen/manifests`);
    const list = await page.locator('main').innerText();
    assert.ok(list.includes('XA123'), list);
    await page.goto(`${server.url}/screen/manifest?lang=en`);
  });

  step('a broken manifest gives the error on the form, with its segment', async () => {
    const file = join(dir, 'broken.edi');
    writeFileSync(file, MANIFEST.replace('DTM+329:880507', 'DTM+329:991332'));
    await upload(file);
    const alert = await page.locator('[role="alert"]').innerText();
    assert.ok(alert.includes('A date is not a valid date.'), alert);
    assert.ok(alert.includes('tag DTM'), alert);
    assert.equal(await page.locator('tbody tr').count(), 0, 'no results');
    await screenshot(page, 'manifest-en-error');
  });

  step('the page and its results are in Russian too', async () => {
    await page.goto(`${server.url}/screen/manifest?lang=ru`);
    await upload(join(dir, 'XA123.edi'));
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('Рейс XA123'), main);
    assert.ok(main.includes('Точный номер документа'), main);
    await screenshot(page, 'manifest-ru-result');
    await page.goto(`${server.url}/screen?lang=en`);
  });
});
