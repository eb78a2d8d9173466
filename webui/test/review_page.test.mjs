// The reviewers' page in headless Chromium against a real clearmatchd:
// matches recorded by real Checks, a FALSE_POSITIVE decided with the
// keyboard, its audit entry, the next Check ALLOW; a content id that is a
// script tag shown as text; a POST without the CSRF token refused; a page
// without a reviewer refused. CLEARMATCH_SCREENSHOTS=DIR saves a
// screenshot of each page there (docs/review/).
import assert from 'node:assert/strict';
import {copyFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {launchBrowser, newPage} from './browser.mjs';
import {hash, kTestdata, request, startDaemon, writeBank} from './daemon.mjs';
import {makePki} from './pki.mjs';

const kXss = '<script>alert(1)</script>';
const kShots = process.env.CLEARMATCH_SCREENSHOTS ?? '';
const pdqFile = (name) => join(kTestdata, 'pdq', name);
let daemon, readOnly, mtls, pki, browser, page;
const ids = {};

async function shot(name) {
  if (kShots === '') return;
  mkdirSync(kShots, {recursive: true});
  await page.screenshot({path: join(kShots, `${name}.png`), fullPage: true});
}

// Retries while the daemon is still loading its index.
async function check(d, path, cwd) {
  for (let i = 0; ; ++i) {
    const r = await d.check(path, cwd).catch((e) => ({error: String(e)}));
    if (r.decision || i >= 100) return r;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

async function bankOf(dir) {
  const bridge = (await hash(pdqFile('bridge-1-original.jpg')))[0];
  const pen = (await hash(pdqFile('pen-and-coaster.png')))[0];
  const video = (await hash(join(kTestdata, 'vpdq/pattern-hd-no-bar.mp4')))[0];
  const frame = (video.vpdq ?? video.frames ?? [])[3];
  const rows = [
    {type: 'pdq', hash: bridge.pdq, id: 'bridge-1', bank: 'tid', category: 'csam'},
    {type: 'pdq', hash: pen.pdq, id: 'pen-7', bank: 'ncii', category: 'ncii'},
  ];
  if (frame?.pdq) rows.push({type: 'pdq', hash: frame.pdq, id: 'pattern-frame', bank: 'tid', category: 'csam'});
  writeBank(join(dir, 'bank.csv'), rows);
  return join(dir, 'bank.csv');
}

// Opens a page of the app and waits until that page (not the one before
// it) has drawn `selector`.
async function show(d, route, selector) {
  await page.goto(`${d.webUrl}/${route}`);
  await page.waitForFunction((r, sel) => {
    const main = document.getElementById('main');
    return main?.dataset.shown === r && main.querySelector(sel) !== null;
  }, {}, route, selector);
}

async function matchIdOf(contentId) {
  const r = await (await fetch(`${daemon.webUrl}/api/v1/matches?page_size=100`)).json();
  const m = (r.matches ?? []).find((x) => (x.contentId ?? x.content_id) === contentId);
  return String(m?.matchId ?? m?.match_id ?? '');
}

before(async () => {
  const {mkdtempSync} = await import('node:fs');
  const {tmpdir} = await import('node:os');
  const work = mkdtempSync(join(tmpdir(), 'clearmatch-bank-'));
  const bank = await bankOf(work);
  daemon = await startDaemon({bankCsv: bank, localReviewer: 'alice',
                              contentUrlTemplate: 'https://admin.example/content/{content_id}'});
  pki = await makePki(work, ['alice', 'carol']);
  [readOnly, mtls] = await Promise.all([
    startDaemon({bankCsv: bank}),
    startDaemon({bankCsv: bank, tls: {pki, roles: {alice: ['reviewer'], carol: ['checker']},
                                      probe: pki.alice}}),
  ]);
  // The content id is the path given to `clearmatch check`: a directory
  // "<script>alert(1)<" holding a file "script>".
  mkdirSync(join(daemon.dir, '<script>alert(1)<'));
  copyFileSync(pdqFile('pen-and-coaster.png'), join(daemon.dir, kXss));
  copyFileSync(pdqFile('bridge-5-flipx.jpg'), join(daemon.dir, 'upload-17.jpg'));
  copyFileSync(join(kTestdata, 'vpdq/pattern-hd-no-bar.mp4'), join(daemon.dir, 'clip-3.mp4'));
  for (const f of ['upload-17.jpg', kXss, 'clip-3.mp4']) {
    const r = await check(daemon, f, daemon.dir);
    assert.notEqual(r.decision, 'ALLOW', `${f}: ${JSON.stringify(r)}`);
    ids[f] = await matchIdOf(f);
  }
  await check(readOnly, pdqFile('bridge-5-flipx.jpg'));
  await check(mtls, pdqFile('bridge-5-flipx.jpg'));
  browser = await launchBrowser();
  page = await newPage(browser);
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
  await readOnly?.stop();
  await mtls?.stop();
});

test('the queue lists the pending matches, oldest first, with the counts', async () => {
  await show(daemon, '#/queue', '#queue tbody tr');
  const ids_shown = await page.$$eval('#queue tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(ids_shown, ['upload-17.jpg', kXss, 'clip-3.mp4'].map((f) => `#${ids[f]}`));
  const summary = await page.$eval('#queue-summary', (e) => e.textContent);
  assert.match(summary, /^3 pending · oldest waiting/);
  await shot('queue');
});

test('a content id that is a script tag is shown as text', async () => {
  const cells = await page.$$eval('#queue .content-id', (e) => e.map((x) => x.textContent));
  assert.ok(cells.includes(kXss), cells.join('|'));
  await show(daemon, `#/match/${ids[kXss]}`, '#content-id');
  assert.equal(await page.$eval('#content-id', (e) => e.textContent), kXss);
  assert.equal(await page.$$eval('script', (s) => s.length), 1);  // the page's own
  assert.deepEqual(page.dialogs, []);
  assert.deepEqual(page.errors, []);
});

test('a match shows its evidence; a video match its timelines', async () => {
  await show(daemon, `#/match/${ids['clip-3.mp4']}`, '#entries');
  const entry = await page.$eval('#entries tbody tr', (tr) => tr.textContent);
  assert.match(entry, /tid.*pattern-frame.*csam.*pdq/);
  assert.ok(await page.$('.timeline rect.tl-query'), 'no upload range drawn');
  assert.equal(await page.$eval('#preview', (e) => e.classList.contains('protected')), true);
  const link = await page.$eval('#viewer-link', (a) => a.href);
  assert.equal(link, 'https://admin.example/content/clip-3.mp4');
  await shot('match-video');
});

test('FALSE_POSITIVE with the keyboard: next item, audit entry, next Check ALLOW', async () => {
  await show(daemon, '#/queue', '#queue tr.selected');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#decide-panel');
  assert.equal(page.url(), `${daemon.webUrl}/#/match/${ids['upload-17.jpg']}`);
  assert.match(await page.$eval('#entries', (e) => e.textContent), /bridge-1.*flipx/);
  await shot('match');
  await page.type('#note', 'a bridge, not the banked image');
  await page.$eval('#note', (e) => e.blur());
  await page.keyboard.press('f');
  await page.waitForFunction((u) => location.href === u, {},
                             `${daemon.webUrl}/#/match/${ids[kXss]}`);
  await show(daemon, `#/match/${ids['upload-17.jpg']}`, '#audit tbody tr');
  const audit = await page.$$eval('#audit tbody tr', (r) => r.map((x) => x.textContent));
  assert.ok(audit.some((r) => /decide.*alice.*false positive.*a bridge, not the banked image/.test(r)),
            audit.join('\n'));
  assert.match(await page.$eval('#history', (e) => e.textContent), /false positive by alice/);
  await shot('match-decided');
  const again = await daemon.check('upload-17.jpg', daemon.dir);
  assert.equal(again.decision, 'ALLOW', JSON.stringify(again));
});

test('the audit trail, allowlist and stats pages', async () => {
  await show(daemon, '#/audit', '#audit tbody tr');
  await shot('audit');
  await show(daemon, '#/allowlist', '#allowlist, #allowlist-refused');
  await shot('allowlist');
  await show(daemon, '#/stats', '#stats-facts');
  assert.match(await page.$eval('#stats-facts', (e) => e.textContent), /decided1/);
  await shot('stats');
});

test('a POST without the CSRF token is refused', async () => {
  const id = ids['clip-3.mp4'];
  const status = await page.evaluate(async (matchId) => {
    const r = await fetch(`/api/v1/matches/${matchId}/decision`, {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({outcome: 'CONFIRMED'})});
    return r.status;
  }, id);
  assert.equal(status, 403);
  const r = await (await fetch(`${daemon.webUrl}/api/v1/matches/${id}`)).json();
  assert.deepEqual(r.decisions ?? [], []);
});

test('without a reviewer the page says so and the daemon refuses', async () => {
  await page.goto(`${readOnly.webUrl}/#/queue`);  // a new page: no route drawn
  await page.waitForSelector('#refused');
  assert.match(await page.$eval('#refused', (e) => e.textContent), /No reviewer/);
  const status = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/matches/1/decision', {
      method: 'POST', headers: {'Content-Type': 'application/json',
                                'X-CSRF-Token': s.csrf_token ?? ''},
      body: JSON.stringify({outcome: 'FALSE_POSITIVE'})});
    const list = await fetch('/api/v1/matches');
    return [r.status, list.status];
  });
  assert.ok(status[0] === 401 || status[0] === 403, `decide: ${status[0]}`);
  assert.equal(status[1], 401, 'list');
  await shot('read-only');
});

test('over mTLS the page needs the reviewer role, and records the certificate\'s name', async () => {
  const as = (who) => ({ca: pki.ca, ...(who ? pki[who] : {})});
  const anonymous = await request(`${mtls.webUrl}/api/v1/session`, {tls: as(null)})
      .catch((e) => ({status: `refused in the handshake (${e.code})`}));
  assert.ok(anonymous.status === 401 || String(anonymous.status).startsWith('refused'),
            `anonymous: ${anonymous.status}`);
  const carol = await request(`${mtls.webUrl}/api/v1/session`, {tls: as('carol')});
  assert.equal(carol.status, 200, carol.body);
  assert.deepEqual(JSON.parse(carol.body).roles, ['checker']);
  const carolList = await request(`${mtls.webUrl}/api/v1/matches`, {tls: as('carol')});
  assert.equal(carolList.status, 403, carolList.body);
  const alice = await request(`${mtls.webUrl}/api/v1/session`, {tls: as('alice')});
  assert.equal(alice.status, 200, alice.body);
  const session = JSON.parse(alice.body);
  assert.equal(session.reviewer, 'alice');
  const list = JSON.parse((await request(`${mtls.webUrl}/api/v1/matches`, {tls: as('alice')})).body);
  const id = String((list.matches ?? [])[0]?.matchId ?? (list.matches ?? [])[0]?.match_id);
  const decide = (who, token) => request(`${mtls.webUrl}/api/v1/matches/${id}/decision`, {
    method: 'POST', tls: as(who),
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token,
              'Origin': mtls.webUrl},
    body: JSON.stringify({outcome: 'ESCALATED', note: 'over mTLS'})});
  const carolToken = JSON.parse(carol.body).csrf_token;
  assert.equal((await decide('carol', carolToken)).status, 403);
  const decided = await decide('alice', session.csrf_token ?? session.csrfToken);
  assert.equal(decided.status, 200, decided.body);
  const record = JSON.parse(decided.body);
  assert.equal(record.decisions.at(-1).reviewer, 'alice');
});
