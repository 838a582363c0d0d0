// The web workstation in a real browser: Debian's headless chromium driven by
// playwright-core against the integration stack, as a librarian and a
// methodologist use it (keyboard first), with axe-core on every page.
// Run by CTest (integration.web_workstation); IBC_TEST_RUN_DIR names the
// stack's run dir. IBC_WEB_SHOTS=<dir> also saves screenshots of the main
// pages there (scripts/web-screenshots puts them into docs/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, base, uniq, launch, shutdown, call, make, signedIn, axe, shot, tabletFaults } from './web-harness.mjs';

const school = `web-${uniq}`;
const lib = { login: `lib${uniq}`, password: 'пароль-библиотекаря-1' };
const meth = { login: `met${uniq}`, password: 'пароль-методиста-1' };
const fx = {};
let browser;

before(async () => {
  browser = await launch();
  await make('/api/v1/monitoring/schools', { id: school, name: `Школа ${uniq}`, kind: 'school' });
  await make('/api/v1/admin/accounts', { ...lib, org: school, role: 'librarian', name: 'Анна Петровна' });
  await make('/api/v1/admin/accounts', { ...meth, org: 'resource-centre', role: 'methodologist', name: 'Ольга Сергеевна' });
  fx.record = await make('/api/v1/catalog/records', {
    type: 'book', title: `Капитанская дочка ${uniq}`, authors: ['Пушкин, Александр Сергеевич'], year: 1836, age_rating: '12+',
  });
  fx.items = [];
  for (let i = 1; i <= 4; i++) {
    const barcode = `WB${uniq}${i}`;
    await make('/api/v1/catalog/items', { record_id: fx.record.id, barcode, school });
    fx.items.push(barcode);
  }
  for (const n of [1, 2]) {
    const card = `WC${uniq}${n}`;
    fx[`reader${n}`] = { ...(await make('/api/v1/circulation/readers', { card_barcode: card, name: `Ученик ${n}`, category: 'student', class: '5А', school })), card };
  }
  fx.xss = await make('/api/v1/catalog/records', {
    type: 'book', title: `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Опасное ${uniq}`,
  });
});

after(shutdown);

// Waits for the desk's answer to the scan just made (the previous answer is
// wiped first) and checks it says want; on a refusal the message says why.
async function deskAnswer(page, want, act) {
  await page.evaluate(() => { const r = document.querySelector('#result'); r.className = 'result'; r.textContent = ''; });
  await act();
  await page.waitForSelector('#result.ok, #result.bad');
  const text = await page.textContent('#result');
  assert.match(text, want, `the desk answered: ${text}`);
}

test('sign in with the keyboard; a wrong password says so', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/');
  await page.waitForSelector('#login:focus');
  await shot(page, 'signin');
  await page.keyboard.type(lib.login);
  await page.keyboard.press('Tab');
  await page.keyboard.type('не тот пароль');
  await page.keyboard.press('Enter');
  await page.waitForSelector('text=Неверный логин или пароль');
  await page.fill('#password', lib.password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('header#top .who');
  assert.match(await page.textContent('header#top .who'), /Анна Петровна · библиотекарь/);
  await ctx.close();
});

test('search the catalog and open a record with its items', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/catalog.html');
  await page.fill('#q', `Капитанская дочка ${uniq}`);
  await page.press('#q', 'Enter');
  await page.waitForSelector('.hits li a');
  await shot(page, 'catalog');
  await page.click(`.hits li a:has-text("Капитанская дочка ${uniq}")`);
  await page.waitForSelector('h1:has-text("Капитанская дочка")');
  const body = await page.textContent('#content');
  assert.match(body, /Пушкин, Александр Сергеевич/);
  for (const b of fx.items) assert.ok(body.includes(b), `item ${b} on the record page`);
  assert.match(await page.textContent('#content h2'), /Наличие: \d+ из 4/);
  await shot(page, 'record');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('checkout and checkin by typing barcodes and Enter; a refusal shows its reason', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/desk.html');
  await page.waitForSelector('#card:focus'); // the page puts the focus there
  await page.keyboard.type(fx.reader1.card);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#reader h2:has-text("Ученик 1")');
  await page.waitForSelector('#item:focus'); // the scanner types on
  await page.keyboard.type(fx.items[0]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result.ok:has-text("Выдано")');
  assert.match(await page.textContent('#result'), new RegExp(`Выдано: ${fx.items[0]} — Капитанская дочка`));
  await page.waitForSelector(`#reader td:has-text("${fx.items[0]}")`);
  await shot(page, 'desk');
  // the same copy to the second reader: refused, with the reason
  await page.fill('#card', fx.reader2.card);
  await page.press('#card', 'Enter');
  await page.waitForSelector('#reader h2:has-text("Ученик 2")');
  await page.waitForSelector('#item:focus');
  await page.keyboard.type(fx.items[0]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result.bad');
  const refused = await page.textContent('#result');
  assert.match(refused, /Отказ: Экземпляр уже выдан, срок возврата/);
  assert.equal(await page.getAttribute('#result', 'role'), 'alert');
  await shot(page, 'desk-refused');
  // checkin
  await page.check('input[value="checkin"]');
  await page.fill('#item', fx.items[0]);
  await deskAnswer(page, /Принято/, () => page.press('#item', 'Enter'));
  const loans = await call('GET', `/api/v1/circulation/loans?item_barcode=${fx.items[0]}&state=open&school=${school}`);
  assert.equal(loans.data.loans.length, 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a double click on "issue" lends once', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/desk.html');
  await page.fill('#card', fx.reader1.card);
  await page.press('#card', 'Enter');
  await page.waitForSelector('#reader h2');
  await page.fill('#item', fx.items[1]);
  await page.dblclick('#go');
  await page.waitForSelector('#result.ok:has-text("Выдано")');
  await page.waitForTimeout(500);
  assert.doesNotMatch(await page.textContent('#result'), /Отказ/);
  const loans = await call('GET', `/api/v1/circulation/loans?item_barcode=${fx.items[1]}&state=all&school=${school}`);
  assert.equal(loans.data.loans.length, 1);
  await page.context().close();
});

test('a write without the CSRF token is refused', async () => {
  const page = await signedIn(lib);
  const r = await page.evaluate(async (card) => {
    const res = await fetch('/api/v1/circulation/readers', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ card_barcode: card, name: 'Подделка', category: 'student' }),
    });
    return { status: res.status, body: await res.json() };
  }, `CSRF${uniq}`);
  assert.equal(r.status, 403);
  assert.match(r.body.detail, /CSRF/);
  const readers = await call('GET', `/api/v1/circulation/readers?card_barcode=CSRF${uniq}&school=${school}`);
  assert.equal(readers.data.readers.length, 0);
  await page.context().close();
});

test('HTML in a title is shown as text and never runs', async () => {
  const page = await signedIn(lib);
  await page.goto(`${base}/record.html?id=${fx.xss.id}`);
  await page.waitForSelector(`h1:has-text("Опасное ${uniq}")`);
  assert.equal(await page.textContent('h1'), fx.xss.title);
  await page.goto(`${base}/catalog.html?q=${encodeURIComponent(`Опасное ${uniq}`)}`);
  await page.waitForSelector('.hits li a');
  assert.equal(await page.textContent('.hits li a'), fx.xss.title);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.$$eval('#content script, #content img', (e) => e.length), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('create a record: messages next to the fields; an ended session keeps the form', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/edit.html');
  await page.fill('#f-title', '');
  await page.click('button[type="submit"]');
  await page.waitForSelector('#f-title-error');
  assert.equal(await page.getAttribute('#f-title', 'aria-invalid'), 'true');
  await page.fill('#f-title', `Новая книга ${uniq}`);
  await page.fill('#f-isbn', '978-5-17-090630-8'); // a wrong check digit
  await page.click('button[type="submit"]');
  await page.waitForSelector('#f-isbn-error');
  assert.match(await page.textContent('#f-isbn-error'), /Неверный ISBN/);
  assert.equal(await page.$('#f-title-error'), null);
  await shot(page, 'edit');
  await page.fill('#f-isbn', '');
  await page.fill('#f-authors', 'Толстой, Лев Николаевич');
  // the session ends (the cookie is gone) before the form is sent
  await page.context().clearCookies();
  await page.click('button[type="submit"]');
  await page.waitForSelector('dialog[open] #login');
  await page.fill('dialog #login', lib.login);
  await page.fill('dialog #password', lib.password);
  await page.press('dialog #password', 'Enter');
  await page.waitForURL(/record\.html\?id=/);
  await page.waitForSelector(`h1:has-text("Новая книга ${uniq}")`);
  assert.match(await page.textContent('#content'), /Толстой, Лев Николаевич/);
  await page.context().close();
});

test('the dashboard draws real data, and its tables equal the API', async () => {
  const page = await signedIn(meth);
  await page.goto(base + '/dashboard.html');
  await page.waitForSelector('#chart-loans_per_month[aria-label]');
  const api = (await call('GET', '/api/v1/monitoring/indicators?months=12')).data.indicators;
  // the canvas is not blank: some pixel is the bars' colour
  const drawn = await page.$eval('#chart-loans_per_month', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 2] > 150) n++;
    return n;
  });
  assert.ok(drawn > 0, 'the loans chart has bars');
  await shot(page, 'dashboard', true);
  for (const id of ['loans_per_month', 'catalog_records']) {
    await page.click(`#h-${id} ~ details summary`);
    const rows = await page.$$eval(`#h-${id} ~ details table tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows, api[id].history.map((x) => [x.month, x.value === null ? '—' : String(x.value)]));
  }
  assert.ok(api.catalog_records.value > 0);
  const tile = await page.textContent('[data-indicator="catalog_records"] .value');
  assert.equal(Number(tile.replace(/\s/g, '')), api.catalog_records.value);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// Polls f until it returns something truthy (the monitoring projections
// follow the catalog's events a moment later).
async function until(what, f, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) assert.fail(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The heat map's cells as [grade, subject, share text, counts text], sorted.
const heatCells = (page) => page.$$eval('#heatmap td.heat[data-grade]', (tds) => tds.map((td) =>
  [Number(td.dataset.grade), td.dataset.subject, td.querySelector('.share').textContent, td.querySelector('.counts').textContent]));
const apiCells = (rows) => rows.map((r) => [r.grade, r.subject, r.share === null ? '—' : `${Math.round(r.share * 100)} %`, `${r.copies} / ${r.students}`]);
const sorted = (cells) => cells.map((c) => JSON.stringify(c)).sort();

test('the dashboard: a heat map of textbook provision equal to the API, and the district filter changes it and the survey completion', async () => {
  const d = [`Северный ${uniq}`, `Южный ${uniq}`];
  const sch = [`hm-a-${uniq}`, `hm-b-${uniq}`];
  const subject = `Природоведение ${uniq}`;
  await make('/api/v1/monitoring/schools', { id: sch[0], name: `Школа А ${uniq}`, district: d[0], kind: 'school', students: { 5: 20 } });
  await make('/api/v1/monitoring/schools', { id: sch[1], name: `Школа Б ${uniq}`, district: d[1], kind: 'school', students: { 5: 40 } });
  const tb = await make('/api/v1/catalog/records', { type: 'textbook', title: `${subject}. 5 класс`, textbook: { subject, grade_from: 5, grade_to: 5 } });
  for (const [i, s] of [sch[0], sch[0], sch[0], sch[1]].entries()) await make('/api/v1/catalog/items', { record_id: tb.id, barcode: `HM${uniq}${i}`, school: s });
  const camp = await make('/api/v1/monitoring/campaigns', {
    title: `Мониторинг ${uniq}`, period: '2026-Q4', questions: [{ code: 'visits', text: 'Посещений', kind: 'number' }],
  });
  const put = await call('PUT', `/api/v1/monitoring/campaigns/${camp.id}/answers/${sch[0]}`, { answers: { visits: 7 } });
  assert.equal(put.status, 201);
  const provision = async (district) => (await call('GET', `/api/v1/monitoring/reports/textbook-provision?${new URLSearchParams(district ? { district } : {})}`)).data;
  await until('the copies in the report', async () => (await provision(d[0])).rows.find((r) => r.subject === subject)?.copies === 3
    && (await provision('')).rows.some((r) => r.subject === subject && r.copies === 4));

  const page = await signedIn(meth);
  await page.goto(base + '/dashboard.html');
  await page.waitForSelector(`#heatmap td[data-subject="${subject}"]`);
  const network = (await provision('')).rows;
  assert.deepEqual(sorted(await heatCells(page)), sorted(apiCells(network)));
  const ours = `#heatmap td[data-subject="${subject}"][data-grade="5"]`;
  // the network's row counts every school's fifth-graders: 4 copies of ours
  assert.match(await page.textContent(`${ours} .counts`), /^4 \/ \d+$/);
  assert.equal(await page.$$eval('.legend li', (li) => li.length), 6);
  // the table behind it, on demand, holds the same rows
  await page.click('#h-provision ~ details summary');
  assert.ok(await page.isVisible('#h-provision ~ details table'));
  assert.equal(await page.$$eval('#h-provision ~ details tbody tr', (tr) => tr.length), network.length);

  for (const [i, district] of d.entries()) {
    // keyboard only: the district by its name, Enter sends the filters
    await page.focus('#district');
    await page.selectOption('#district', district);
    const asked = page.waitForRequest((r) => r.url().includes('textbook-provision') && new URL(r.url()).searchParams.get('district') === district);
    const askedInd = page.waitForRequest((r) => r.url().includes('/indicators?') && new URL(r.url()).searchParams.get('district') === district);
    await page.press('#school', 'Enter');
    await Promise.all([asked, askedInd]);
    await page.waitForSelector(`#scope:has-text("${district}")`);
    await page.waitForSelector(ours);
    const api = (await provision(district)).rows;
    assert.deepEqual(sorted(await heatCells(page)), sorted(apiCells(api)));
    assert.equal(await page.textContent(`${ours} .counts`), i === 0 ? '3 / 20' : '1 / 40');
    assert.equal(await page.textContent(`${ours} .share`), i === 0 ? '15 %' : '3 %');
    // the colour is the legend's step: below 50 %
    assert.match(await page.getAttribute(ours, 'class'), /\bheat-0\b/);
    // survey completion of the campaign, per school of the district
    await page.selectOption('#campaign', camp.id);
    await page.waitForSelector(`#completion-grid li[data-school="${sch[i]}"]`);
    const grid = await page.$$eval('#completion-grid li', (li) => li.map((x) => [x.dataset.school, x.className]));
    assert.deepEqual(grid, [[sch[i], i === 0 ? 'answered' : 'missing']]);
    const c = (await call('GET', `/api/v1/monitoring/campaigns/${camp.id}/completion?district=${encodeURIComponent(district)}`)).data;
    assert.equal(await page.textContent('#completion-total'), `Ответили ${c.answered} из ${c.schools} школ (${i === 0 ? '100' : '0'} %).`);
  }
  assert.match(page.url(), /district=/);
  await shot(page, 'dashboard-district', true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('import a MARC file and watch the progress reach 100 %; 50 MB is refused', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/import.html');
  await page.selectOption('#format', 'marc21');
  await page.setInputFiles('#file', `${process.env.IBC_MARC_DIR}/marc21-utf8-cyrillic.mrc`);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#import-result .result.ok:has-text("Импорт завершён")', { timeout: 60000 });
  assert.equal(await page.$eval('#bar', (b) => b.value), 100);
  assert.match(await page.textContent('#bar-text'), /100 % · прочитано 52 из 52/);
  await shot(page, 'import');
  const t0 = Date.now();
  const big = join(tmpdir(), `big-${uniq}.mrc`);
  writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 0x20));
  await page.setInputFiles('#file', big);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#import-result .result.bad:has-text("Слишком большой файл")', { timeout: 60000 });
  console.log(`50 MB refused on the page in ${Date.now() - t0} ms`);
  rmSync(big);
  // the gateway refuses it too, before reading it, whoever skips the page's
  // check: tests/integration/test_gateway_web.c
  await page.context().close();
});

test('an import is cancelled from the page; what was written stays', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/import.html');
  const one = readFileSync(`${process.env.IBC_MARC_DIR}/rusmarc-nlr-cp1251.iso`);
  const copies = 150; // 12,150 records: minutes of work, so it is still running
  await page.selectOption('#format', 'rusmarc');
  await page.selectOption('#charset', 'cp1251');
  const file = join(tmpdir(), `nlr-${uniq}.iso`);
  writeFileSync(file, Buffer.concat(Array(copies).fill(one)));
  await page.setInputFiles('#file', file);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#cancel-import', { timeout: 60000 }).catch(async (e) => {
    throw new Error(`${e.message}; the page says: ${await page.textContent('#content')}`);
  });
  rmSync(file); // sent
  await page.click('#cancel-import');
  await page.waitForSelector('#import-result .result:has-text("Импорт отменён")', { timeout: 60000 });
  assert.equal(await page.$('#cancel-import'), null);
  // the API agrees: the newest cancelled job stopped before the end, and its
  // counters add up to what it read
  const r = await call('GET', '/api/v1/catalog/imports?status=cancelled&limit=1');
  assert.equal(r.status, 200);
  const j = r.data.items[0];
  assert.ok(j.read < 81 * copies, `read ${j.read}`);
  assert.equal(j.created + j.merged + (j.unchanged || 0) + (j.updated || 0) + j.failed, j.read);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('ten wrong passwords lock the account, and the page says so', async () => {
  const victim = { login: `lock${uniq}`, password: 'верный-пароль-1' };
  await make('/api/v1/admin/accounts', { ...victim, org: school, role: 'librarian' });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/');
  for (let i = 0; i < 10; i++) {
    await page.fill('#login', victim.login);
    await page.fill('#password', `неверный-${i}`);
    await page.press('#password', 'Enter');
    await page.waitForFunction((n) => document.querySelector('.msg').textContent.includes('Неверный') && window.__n !== n, i);
    await page.evaluate((n) => { window.__n = n; document.querySelector('.msg').textContent = ''; }, i);
  }
  await page.fill('#password', victim.password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('.msg:has-text("Вход заблокирован")');
  await ctx.close();
});

test('the overdue list by class shows a late copy with its days, and downloads as CSV', async () => {
  const due = new Date(Date.now() - 3 * 86400e3).toISOString().slice(0, 10);
  await make('/api/v1/circulation/checkouts', { item_barcode: fx.items[2], reader_id: fx.reader2.id, due_date: due });
  const page = await signedIn(lib);
  await page.goto(base + '/overdue.html');
  await page.waitForSelector(`#list td:has-text("${fx.items[2]}")`);
  const row = await page.textContent(`#list tr:has-text("${fx.items[2]}")`);
  assert.match(row, /5А/);
  assert.match(row, /Ученик 2/);
  assert.equal(await page.textContent(`#list tr:has-text("${fx.items[2]}") td:last-child`), '3'); // days overdue
  // the class filter, through the form
  await page.fill('#class', '9Я');
  await page.press('#class', 'Enter');
  await page.waitForSelector('#list .result.ok:has-text("Долгов нет")');
  await page.goBack();
  await page.waitForSelector('#csv');
  const csv = await page.evaluate(async () => {
    const r = await fetch(document.querySelector('#csv').href);
    return { type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.match(csv.type, /text\/csv/);
  assert.ok(csv.text.includes(fx.items[2]), csv.text.slice(0, 300));
  await shot(page, 'overdue');
  assert.deepEqual(page.errors, []);
  await page.context().close();
  await call('POST', '/api/v1/circulation/checkins', { item_barcode: fx.items[2] });
});

test('a class gets its textbooks in one go, the answer per pupil, and gives them back', async () => {
  const tb = await make('/api/v1/catalog/records', { type: 'textbook', title: `Математика ${uniq}`, year: 2024 });
  for (const n of [1, 2]) await make('/api/v1/catalog/items', { record_id: tb.id, barcode: `WT${uniq}${n}`, school });
  const page = await signedIn(lib);
  await page.goto(base + '/classsets.html');
  await page.fill('#q', `Математика ${uniq}`);
  await page.press('#q', 'Enter');
  await page.check(`#tb-${tb.id}`);
  await page.fill('#class', '5А');
  await page.click('#issue');
  await page.waitForSelector('#result table');
  const text = await page.textContent('#result');
  assert.match(text, /выдано 2, не хватило 0/);
  assert.match(text, /Ученик 1/);
  assert.match(text, /Ученик 2/);
  assert.equal((text.match(/выдан WT/g) || []).length, 2);
  await page.waitForSelector('#sets td:has-text("5А")');
  await shot(page, 'classsets');
  const open = await call('GET', `/api/v1/circulation/loans?school=${school}&state=open&limit=100`);
  assert.equal(open.data.loans.filter((l) => l.record_id === tb.id).length, 2);
  await page.click('#sets button:has-text("Принять у 5А")');
  await page.waitForSelector('#sets .result.ok:has-text("учебники приняты")');
  const after = await call('GET', `/api/v1/circulation/loans?school=${school}&state=open&limit=100`);
  assert.equal(after.data.loans.filter((l) => l.record_id === tb.id).length, 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('holds: the waiting reader and the copy kept on the shelf show, and a hold is cancelled from the page', async () => {
  const hold = await make('/api/v1/circulation/holds', { record_id: fx.record.id, reader_id: fx.reader2.id });
  const page = await signedIn(lib);
  await page.goto(base + '/holds.html');
  const row = `#holds tr:has-text("Ученик 2")`;
  await page.waitForSelector(row);
  const text = await page.textContent(row);
  assert.match(text, /Капитанская дочка/);
  assert.match(text, hold.state === 'ready' ? /ждёт на полке/ : /в очереди/);
  await page.click(`${row} button:has-text("Отменить")`);
  await page.waitForSelector('#holds .result.ok:has-text("Заказ отменён")');
  const after = await call('GET', `/api/v1/circulation/holds/${hold.id}`);
  assert.equal(after.data.state, 'cancelled');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a hold placed from the record page by the reader\'s card; a second one is refused with the reason', async () => {
  const page = await signedIn(lib);
  await page.goto(`${base}/record.html?id=${fx.record.id}`);
  await page.waitForSelector('#hold-card');
  await page.focus('#hold-card');
  await page.keyboard.type(fx.reader2.card);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#hold-result .result.ok');
  assert.match(await page.textContent('#hold-result'), /Заказ оформлен: Ученик 2(экземпляр .* ждёт на полке до|место в очереди: \d+)/);
  const holds = (await call('GET', `/api/v1/circulation/holds?school=${school}&reader_id=${fx.reader2.id}&state=active`)).data.holds;
  const mine = holds.filter((x) => x.record_id === fx.record.id);
  assert.equal(mine.length, 1);
  // the same again: refused, and the page says why
  await page.press('#hold-card', 'Enter');
  await page.waitForSelector('#hold-result .result.bad');
  assert.match(await page.textContent('#hold-result'), /Отказ: Отказано.*already holds/);
  assert.equal(await page.getAttribute('#hold-result .result.bad', 'role'), 'alert');
  await page.fill('#hold-card', `NOPE${uniq}`);
  await page.press('#hold-card', 'Enter');
  await page.waitForSelector(`#hold-result .result.bad:has-text("NOPE${uniq}")`);
  assert.equal((await call('GET', `/api/v1/circulation/holds?school=${school}&reader_id=${fx.reader2.id}&state=active`)).data.holds
    .filter((x) => x.record_id === fx.record.id).length, 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
  // a methodologist reads the record but places no hold
  const m = await signedIn(meth);
  await m.goto(`${base}/record.html?id=${fx.record.id}`);
  await m.waitForSelector('h1:has-text("Капитанская дочка")');
  assert.equal(await m.$('#hold-card'), null);
  await m.context().close();
  await call('POST', `/api/v1/circulation/holds/${mine[0].id}/cancel`);
});

test('the personal-data audit log: a card read shows as a row, filters and pages work, CSV downloads; only the roles the API allows see it', async () => {
  const page = await signedIn(lib);
  assert.ok(await page.$('header#top nav a[href="/audit.html"]'), 'a librarian has the log in the menu');
  const read = await page.evaluate(async (id) => (await fetch(`/api/v1/circulation/readers/${id}`)).status, fx.reader1.id);
  assert.equal(read, 200);
  // 51 reads of another card, for a second page
  for (let i = 0; i < 51; i++) assert.equal((await call('GET', `/api/v1/circulation/readers/${fx.reader2.id}`)).status, 200);
  await page.goto(base + '/audit.html');
  await page.waitForSelector('#reader');
  await page.selectOption('#action', 'read');
  await page.fill('#reader', fx.reader1.card); // a card is looked up
  await page.press('#reader', 'Enter');
  await page.waitForSelector('#log tbody tr');
  assert.match(page.url(), /action=read/);
  const rows = await page.$$eval('#log tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(rows.length >= 1);
  for (const r of rows) assert.ok(r.includes('просмотр карточки') && r.includes(fx.reader1.id), r);
  assert.match(rows[0], /библиотекарь/);
  const api = (await call('GET', `/api/v1/circulation/audit?school=${school}&reader=${fx.reader1.id}&action=read&limit=50`)).data;
  assert.equal(rows.length, api.items.length);
  await shot(page, 'audit');
  // the CSV link: the same page as text/csv
  const csv = await page.evaluate(async () => {
    const r = await fetch(document.querySelector('#csv').href);
    return { type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.match(csv.type, /text\/csv/);
  assert.ok(csv.text.includes(fx.reader1.id), csv.text.slice(0, 300));
  // paging: 50 a page, the next page holds the rest
  await page.goto(`${base}/audit.html?reader=${fx.reader2.id}&action=read`);
  await page.waitForSelector('#log tbody tr');
  assert.equal(await page.$$eval('#log tbody tr', (trs) => trs.length), 50);
  assert.match(await page.textContent('#log p'), /Записи 1–50 из (\d+)/);
  await page.click('a[rel="next"]');
  await page.waitForURL(/offset=50/);
  await page.waitForSelector('#log tbody tr');
  assert.match(await page.textContent('#log p'), /Записи 51–/);
  assert.ok(await page.$('a[rel="prev"]'));
  // a date range with nothing in it
  await page.fill('#from', '2001-01-01');
  await page.fill('#to', '2001-01-31');
  await page.press('#to', 'Enter');
  await page.waitForSelector('#log p:has-text("Записей нет")');
  assert.deepEqual(page.errors, []);
  await page.context().close();
  // a methodologist: no menu entry, and the page says it is not for the role
  const m = await signedIn(meth);
  assert.equal(await m.$('header#top nav a[href="/audit.html"]'), null);
  await m.goto(base + '/audit.html');
  await m.waitForSelector('#main .result.bad:has-text("не для вашей роли")');
  await m.context().close();
});

test('on a tablet (768 × 1024 and 1024 × 768, touch) no page scrolls sideways, controls are big enough, and the desk lends by tapping', async () => {
  for (const viewport of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }]) {
    const page = await signedIn(lib, { viewport, hasTouch: true, isMobile: true, bypassCSP: true });
    const pages = ['/', '/desk.html', '/catalog.html?q=' + encodeURIComponent('Капитанская'), `/record.html?id=${fx.record.id}`,
      '/dashboard.html', '/lists.html', '/edit.html', '/overdue.html', '/classsets.html', '/holds.html', '/audit.html'];
    for (const p of pages) {
      await page.goto(base + p);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await tabletFaults(page), [], `${p} at ${viewport.width}×${viewport.height}`);
      await axe(page, `${p} at ${viewport.width}`);
    }
    // the desk by touch: tap the field, type (a scanner or the on-screen keyboard), tap issue
    await page.goto(base + '/desk.html');
    await page.tap('#card');
    await page.keyboard.type(fx.reader1.card);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#reader h2:has-text("Ученик 1")');
    await page.tap('#item');
    await page.keyboard.type(fx.items[3]);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#result.ok:has-text("Выдано")');
    await shot(page, `desk-tablet-${viewport.width}`);
    await page.tap('input[value="checkin"]');
    await page.fill('#item', fx.items[3]);
    await deskAnswer(page, /Принято/, () => page.press('#item', 'Enter'));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('every page passes axe-core (no serious or critical violation) and loads fast', async () => {
  const page = await signedIn(lib, { bypassCSP: true });
  const pages = ['/', '/desk.html', '/catalog.html?q=' + encodeURIComponent('Капитанская'), `/record.html?id=${fx.record.id}`,
    '/edit.html', '/import.html', '/dashboard.html', '/lists.html', '/password.html', '/overdue.html', '/classsets.html', '/holds.html',
    '/audit.html'];
  const figures = [];
  for (const p of pages) {
    await page.goto(base + p);
    await page.waitForLoadState('networkidle');
    await axe(page, p);
    figures.push(await page.evaluate(() => {
      // weight: the page's own files (not its API calls), uncompressed
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource').filter((r) => r.initiatorType !== 'fetch');
      const bytes = nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0);
      return { page: location.pathname, ms: Math.round(nav.loadEventEnd), kb: Math.round(bytes / 1024) };
    }));
  }
  await page.context().close();
  const admin = await signedIn({ login: 'admin', password: env.IBC_WEB_ADMIN_PASSWORD }, { bypassCSP: true });
  await admin.goto(base + '/admin.html');
  await admin.waitForSelector('#accounts table');
  await axe(admin, '/admin.html');
  await shot(admin, 'admin');
  await admin.context().close();
  // the first visit of a new browser: every file of the start page travels
  const cold = await browser.newContext();
  const first = await cold.newPage();
  await first.goto(base + '/');
  await first.waitForLoadState('networkidle');
  const firstLoad = await first.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    return { ms: Math.round(nav.loadEventEnd), kb: Math.round((nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0)) / 1024) };
  });
  await cold.close();
  console.log('first load of / (empty cache):', JSON.stringify(firstLoad));
  console.log('pages (signed in, files revalidated):', JSON.stringify(figures));
  assert.ok(firstLoad.kb < 300, `the first load transferred ${firstLoad.kb} KB`);
  // the goal is 1 s on the local stack; the bound leaves room for a CI
  // machine shared by other jobs (measured figures: docs/performance.md)
  for (const f of figures) {
    assert.ok(f.ms < 5000, `${f.page} loaded in ${f.ms} ms`);
    assert.ok(f.kb < 300, `${f.page} transferred ${f.kb} KB`);
  }
});
