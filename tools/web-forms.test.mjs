// The training, grants and monitoring forms of the web workstation in a real
// browser (Debian's headless chromium, playwright-core) against the
// integration stack: every form creates what the API then holds (read back
// with the admin key), a refusal shows next to its field, a project moves
// along its workflow by its buttons, a school's survey answer is counted in
// the campaign's completion; grant programmes added and corrected by the
// network; a course's attendance recorded day by day; a campaign closed
// from its list; the staff and course lists paged past their 200th row;
// axe-core and the tablet layout on every page and state.
// Run by CTest (integration.web_forms); IBC_TEST_RUN_DIR names the stack's
// run dir. Shared helpers: web-harness.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, uniq, launch, shutdown, call, make, signedIn, axe, shot, tabletFaults } from './web-harness.mjs';

const school = `wf-${uniq}`;
const lib = { login: `wfl${uniq}`, password: 'пароль-библиотекаря-2' };
const meth = { login: `wfm${uniq}`, password: 'пароль-методиста-2' };
const fx = {};
const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);

before(async () => {
  await launch();
  await make('/api/v1/monitoring/schools', { id: school, name: `Школа форм ${uniq}`, kind: 'school' });
  await make('/api/v1/admin/accounts', { ...lib, org: school, role: 'librarian', name: 'Вера Ивановна' });
  await make('/api/v1/admin/accounts', { ...meth, org: 'resource-centre', role: 'methodologist', name: 'Нина Павловна' });
  fx.programme = await make('/api/v1/grants/programmes', {
    funder: 'Фонд', level: 'regional', title: `Программа ${uniq}`, deadline: day(60), amount_min: 10000, amount_max: 500000,
  });
});

after(shutdown);

// POSTs every body to path, 16 at a time, waiting out a 429 (the admin
// key's rate); returns the created objects in the order of bodies.
async function makeAll(path, bodies) {
  const out = new Array(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      for (;;) {
        const r = await call('POST', path, bodies[i]);
        if (r.status === 429) { await new Promise((res) => setTimeout(res, 300)); continue; }
        assert.equal(r.status, 201, `${path}: ${r.status} ${JSON.stringify(r.data)}`);
        out[i] = r.data;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}

// Opens training.html at the enrolments (and attendance) of the course titled title.
async function courseEnrolments(page, title) {
  await page.goto(base + '/training.html');
  await page.fill('#course-q', title);
  await page.press('#course-q', 'Enter');
  await page.click(`button:has-text("Записи: ${title}")`);
  await page.waitForSelector('#attendance-log, #attendance-form');
}

// Waits for a result banner in box (ok or bad) and returns its text.
async function banner(page, box) {
  await page.waitForSelector(`${box} .result`);
  return page.textContent(`${box} .result`);
}

test('training: staff added and corrected, a course created (a wrong date shown at its field), enrolment and completion', async () => {
  const page = await signedIn(meth);
  await page.goto(base + '/training.html');
  await page.waitForSelector('#course-form');
  const title = `Курс ИБЦ ${uniq}`;
  await page.fill('#c-title', title);
  await page.fill('#c-provider', 'ИРО');
  await page.fill('#c-hours', '72');
  await page.fill('#c-starts_on', day(-10));
  await page.fill('#c-ends_on', day(-20)); // before the start: the service refuses
  await page.click('#course-form button[type="submit"]');
  await page.waitForSelector('#c-ends_on-error');
  assert.match(await page.textContent('#c-ends_on-error'), /Не раньше/);
  assert.equal(await page.getAttribute('#c-ends_on', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'c-ends_on');
  await shot(page, 'training-error');
  await page.fill('#c-ends_on', day(-1));
  await page.click('#course-form button[type="submit"]');
  assert.match(await banner(page, '#course-result'), /Курс создан/);
  assert.equal(await page.$('#c-ends_on-error'), null);
  const courses = await call('GET', `/api/v1/training/courses?q=${encodeURIComponent(title)}`);
  assert.equal(courses.data.items.length, 1);
  fx.course = courses.data.items[0];
  assert.equal(fx.course.hours, 72);
  assert.equal(fx.course.ends_on, day(-1));
  await page.context().close();

  // the school's librarian adds a person, corrects them, and enrols them
  const lp = await signedIn(lib);
  await lp.goto(base + '/training.html');
  await lp.waitForSelector('#staff-form');
  assert.equal(await lp.$('#course-form'), null, 'a librarian does not create courses');
  await lp.fill('#st-full_name', `Сидорова Анна ${uniq}`);
  await lp.fill('#st-position', 'библиотекарь');
  await lp.fill('#st-hired_on', '2019-09-01');
  await lp.press('#st-hired_on', 'Enter');
  assert.match(await banner(lp, '#staff-result'), /Добавлен сотрудник/);
  let staff = await call('GET', `/api/v1/training/staff?school=${school}`);
  assert.equal(staff.data.items.length, 1);
  const person = staff.data.items[0];
  assert.deepEqual([person.full_name, person.position, person.hired_on], [`Сидорова Анна ${uniq}`, 'библиотекарь', '2019-09-01']);
  await lp.click(`button:has-text("Изменить: Сидорова Анна ${uniq}")`);
  await lp.waitForSelector('#st-full_name:focus');
  await lp.fill('#st-position', 'педагог-библиотекарь');
  await lp.click('#staff-form button[type="submit"]');
  assert.match(await banner(lp, '#staff-result'), /Изменено/);
  staff = await call('GET', `/api/v1/training/staff/${person.id}`);
  assert.equal(staff.data.position, 'педагог-библиотекарь');
  assert.equal(staff.data.version, 2);
  await lp.fill('#course-q', title);
  await lp.press('#course-q', 'Enter');
  await lp.click(`button:has-text("Записи: ${title}")`);
  await lp.waitForSelector('#enrol-form');
  await lp.selectOption('#e-staff', person.id);
  await lp.click('#enrol-form button[type="submit"]');
  assert.match(await banner(lp, '#enrol-result'), /Записан: Сидорова Анна/);
  const enr = await call('GET', `/api/v1/training/enrolments?course_id=${fx.course.id}`);
  assert.equal(enr.data.items.length, 1);
  assert.equal(enr.data.items[0].staff_id, person.id);
  assert.equal(enr.data.items[0].status, 'enrolled');
  assert.equal(await lp.$('button:has-text("Завершил")'), null, 'a librarian does not record completions');
  assert.deepEqual(lp.errors, []);
  await lp.context().close();

  // the methodologist records the completion with its certificate
  const mp = await signedIn(meth);
  await mp.goto(base + '/training.html');
  await mp.fill('#course-q', title);
  await mp.press('#course-q', 'Enter');
  await mp.click(`button:has-text("Записи: ${title}")`);
  await mp.click(`button:has-text("Завершил: ")`);
  await mp.waitForSelector('#k-certificate_number:focus');
  await mp.keyboard.type(`УД-${uniq}`);
  await mp.press('#k-certificate_number', 'Enter');
  assert.match(await banner(mp, '#enrol-result'), /Курс завершён/);
  const done = await call('GET', `/api/v1/training/enrolments/${enr.data.items[0].id}`);
  assert.equal(done.data.status, 'completed');
  assert.equal(done.data.certificate_number, `УД-${uniq}`);
  assert.equal(done.data.hours_earned, 72);
  await shot(mp, 'training', true);
  assert.deepEqual(mp.errors, []);
  await mp.context().close();
});

test('grants: a project created by its school (an amount outside the programme shown at its field), then moved along the workflow by the buttons each role sees', async () => {
  const page = await signedIn(lib);
  await page.goto(base + '/grants.html');
  await page.waitForSelector('#project-form');
  const title = `Медиатека ${uniq}`;
  await page.fill('#p-title', title);
  await page.selectOption('#p-programme_id', fx.programme.id);
  await page.fill('#p-requested_amount', '900000'); // above the programme's 500 000
  await page.click('#project-form button[type="submit"]');
  await page.waitForSelector('#p-requested_amount-error');
  assert.match(await page.textContent('#p-requested_amount-error'), /от 10000.00 до 500000.00/);
  await page.fill('#p-requested_amount', '250000.50');
  await page.fill('#p-direction', 'медиаграмотность');
  await page.click('#project-form button[type="submit"]');
  await page.waitForURL(/grants\.html\?id=/);
  const id = new URL(page.url()).searchParams.get('id');
  let p = (await call('GET', `/api/v1/grants/projects/${id}`)).data;
  assert.deepEqual([p.title, p.school, p.status, p.requested_amount, p.programme_id], [title, school, 'draft', 250000.5, fx.programme.id]);
  // the school's buttons: submit or withdraw, never a decision of the lab
  await page.waitForSelector('#action-form button');
  assert.deepEqual(await page.$$eval('#action-form button', (b) => b.map((x) => x.textContent)), ['Подать заявку', 'Отозвать']);
  await page.click('#action-form button:has-text("Подать заявку")');
  assert.match(await banner(page, '#action-result'), /Статус проекта: подан/);
  p = (await call('GET', `/api/v1/grants/projects/${id}`)).data;
  assert.equal(p.status, 'submitted');
  assert.deepEqual(await page.$$eval('#action-form button', (b) => b.map((x) => x.textContent)), ['Отозвать']);
  assert.deepEqual(page.errors, []);
  await page.context().close();

  const mp = await signedIn(meth);
  await mp.goto(`${base}/grants.html?id=${id}`);
  await mp.waitForSelector('#action-form button');
  assert.deepEqual(await mp.$$eval('#action-form button', (b) => b.map((x) => x.textContent)), ['Взять на рассмотрение']);
  await mp.click('#action-form button:has-text("Взять на рассмотрение")');
  assert.match(await banner(mp, '#action-result'), /на рассмотрении/);
  assert.equal((await call('GET', `/api/v1/grants/projects/${id}`)).data.status, 'under_review');
  // a rejection without a reason: the refusal at the comment field, nothing changes
  await mp.click('#action-form button:has-text("Отклонить")');
  await mp.waitForSelector('#a-comment-error');
  assert.match(await mp.textContent('#a-comment-error'), /Напишите причину/);
  assert.equal((await call('GET', `/api/v1/grants/projects/${id}`)).data.status, 'under_review');
  await mp.fill('#a-awarded_amount', '200000');
  await mp.click('#action-form button:has-text("Одобрить")');
  assert.match(await banner(mp, '#action-result'), /одобрен/);
  p = (await call('GET', `/api/v1/grants/projects/${id}`)).data;
  assert.deepEqual([p.status, p.awarded_amount], ['approved', 200000]);
  assert.equal(await mp.$$eval('#content table tbody tr', (r) => r.length), 4); // draft, submitted, under review, approved
  await shot(mp, 'grants-project', true);
  assert.deepEqual(mp.errors, []);
  await mp.context().close();
});

test('monitoring: a campaign opened with its questions (a bad code shown at its field), answered by the school and counted', async () => {
  const page = await signedIn(meth);
  await page.goto(base + '/monitoring.html');
  await page.waitForSelector('#campaign-form');
  const title = `Мониторинг ${uniq}`;
  await page.fill('#cm-title', title);
  await page.fill('#cm-period', '2026-Q4');
  await page.fill('#q0-code', 'посещения'); // not latin: refused
  await page.fill('#q0-text', 'Посещений за квартал');
  await page.selectOption('#q0-kind', 'number');
  await page.fill('#q0-min', '0');
  await page.fill('#q0-max', '10000');
  await page.click('#add-question');
  await page.waitForSelector('#q1-code:focus');
  await page.keyboard.type('club');
  await page.fill('#q1-text', 'Есть читательский клуб?');
  await page.selectOption('#q1-kind', 'yes_no');
  await page.click('#campaign-form button[type="submit"]');
  await page.waitForSelector('#q0-code-error');
  assert.match(await page.textContent('#q0-code-error'), /латинские/);
  await page.fill('#q0-code', 'visits');
  await page.click('#campaign-form button[type="submit"]');
  assert.match(await banner(page, '#campaign-result'), /Кампания открыта/);
  const list = await call('GET', '/api/v1/monitoring/campaigns?status=open&limit=100');
  const c = list.data.items.find((x) => x.title === title);
  assert.ok(c, 'the campaign is in the API');
  const full = (await call('GET', `/api/v1/monitoring/campaigns/${c.id}`)).data;
  assert.deepEqual(full.questions.map((q) => [q.code, q.kind]), [['visits', 'number'], ['club', 'yes_no']]);
  assert.equal(full.questions[0].max, 10000);
  await page.context().close();

  const before = (await call('GET', `/api/v1/monitoring/campaigns/${c.id}/completion`)).data;
  const lp = await signedIn(lib);
  await lp.goto(base + '/monitoring.html');
  await lp.click(`a:has-text("Заполнить: ${title}")`);
  await lp.waitForSelector('#survey-form');
  assert.match(await lp.textContent('#completion'), new RegExp(`Школа ${school} ещё не ответила`));
  await lp.fill('#a-visits', '20000'); // above the question's max
  await lp.check('#a-club-true');
  await lp.click('#survey-form button[type="submit"]');
  await lp.waitForSelector('#a-visits-error');
  assert.match(await lp.textContent('#a-visits-error'), /от 0 до 10000/);
  await lp.fill('#a-visits', '1250');
  await lp.press('#a-visits', 'Enter');
  assert.match(await banner(lp, '#survey-result'), /Ответ принят/);
  const after = (await call('GET', `/api/v1/monitoring/campaigns/${c.id}/completion`)).data;
  assert.equal(after.answered, before.answered + 1);
  assert.equal(after.by_school.find((s) => s.school === school).answered, true);
  await lp.waitForSelector(`#completion-count:has-text("Ответили ${after.answered} из ${after.schools}")`);
  assert.match(await lp.textContent('#completion'), new RegExp(`Ответ школы ${school} учтён`));
  const answer = (await call('GET', `/api/v1/monitoring/campaigns/${c.id}/answers/${school}`)).data;
  assert.deepEqual(answer.answers, { visits: 1250, club: true });
  await shot(lp, 'survey', true);
  // a correction goes with the version read: 200, still one answer counted
  await lp.fill('#a-visits', '1300');
  await lp.click('#survey-form button[type="submit"]');
  assert.match(await banner(lp, '#survey-result'), /Ответ исправлен/);
  assert.equal((await call('GET', `/api/v1/monitoring/campaigns/${c.id}/completion`)).data.answered, after.answered);
  assert.deepEqual(lp.errors, []);
  await lp.context().close();
});

test('monitoring: the roadmap gets an activity and its status is updated; the passport is recorded (a level without its date shown at the field)', async () => {
  const page = await signedIn(meth);
  await page.goto(base + '/monitoring.html');
  await page.waitForSelector('#activity-form');
  const section = `Раздел ${uniq}`;
  await page.fill('#r-section', section);
  await page.fill('#r-title', 'Зонирование библиотеки');
  await page.fill('#r-deadline', day(30));
  await page.fill('#r-responsible_org', school);
  await page.click('#activity-form button[type="submit"]');
  assert.match(await banner(page, '#activity-result'), /Мероприятие добавлено/);
  let acts = (await call('GET', `/api/v1/monitoring/roadmap/activities?section=${encodeURIComponent(section)}`)).data.items;
  assert.equal(acts.length, 1);
  assert.deepEqual([acts[0].title, acts[0].status, acts[0].responsible_org], ['Зонирование библиотеки', 'planned', school]);
  await page.fill('#section-q', section);
  await page.press('#section-q', 'Enter');
  // the exact count: "Мероприятия: 1" is also a prefix of the unfiltered list's "Мероприятия: 12"
  await page.waitForSelector('#roadmap-list caption:text-is("Мероприятия: 1")');
  assert.equal(await page.$$eval('#roadmap-list tbody tr', (r) => r.length), 1);
  await page.selectOption(`#st-${acts[0].id}`, 'done');
  await page.click('button:has-text("Сохранить: Зонирование библиотеки")');
  assert.match(await banner(page, '#roadmap-result'), /выполнено/);
  acts = (await call('GET', `/api/v1/monitoring/roadmap/activities?section=${encodeURIComponent(section)}`)).data.items;
  assert.equal(acts[0].status, 'done');
  assert.equal(acts[0].done_on, new Date().toISOString().slice(0, 10));
  assert.deepEqual(page.errors, []);
  await page.context().close();

  const lp = await signedIn(lib);
  await lp.goto(base + '/passport.html');
  await lp.waitForSelector('#passport-form');
  assert.match(await lp.textContent('#passport-version'), /ещё не заполнен/);
  await lp.fill('#pp-computers', '12');
  await lp.fill('#pp-area_m2', '86.5');
  await lp.check('#pp-projector');
  await lp.selectOption('#pp-ibc_level', 'pilot'); // without the date it was reached
  await lp.click('#passport-form button[type="submit"]');
  await lp.waitForSelector('#pp-level_reached_on-error');
  assert.match(await lp.textContent('#pp-level_reached_on-error'), /Заполните/);
  await lp.fill('#pp-level_reached_on', day(-100));
  await lp.click('#passport-form button[type="submit"]');
  assert.match(await banner(lp, '#passport-result'), /Паспорт сохранён/);
  const pp = (await call('GET', `/api/v1/monitoring/schools/${school}/passport`)).data;
  assert.deepEqual([pp.computers, pp.area_m2, pp.projector, pp.ibc_level, pp.level_reached_on], [12, 86.5, true, 'pilot', day(-100)]);
  await lp.fill('#pp-computers', '14');
  await lp.click('#passport-form button[type="submit"]');
  await lp.waitForSelector(`#passport-version:has-text("Версия ${pp.version + 1}")`);
  assert.equal((await call('GET', `/api/v1/monitoring/schools/${school}/passport`)).data.computers, 14);
  await shot(lp, 'passport', true);
  assert.deepEqual(lp.errors, []);
  await lp.context().close();
});

test('grants: the network adds and corrects a programme (a reversed amount range and a bad address shown at their fields); a school starts a project under it', async () => {
  const mp = await signedIn(meth);
  await mp.goto(base + '/grants.html');
  await mp.waitForSelector('#programme-form');
  const title = `Программа страницы ${uniq}`;
  await mp.fill('#g-title', title);
  await mp.fill('#g-funder', 'Фонд президентских грантов');
  await mp.selectOption('#g-level', 'federal');
  await mp.fill('#g-deadline', day(1));
  await mp.fill('#g-amount_min', '600000');
  await mp.fill('#g-amount_max', '100000'); // below the minimum: refused
  await mp.click('#programme-form button[type="submit"]');
  await mp.waitForSelector('#g-amount_min-error');
  assert.match(await mp.textContent('#g-amount_min-error'), /Не больше максимальной суммы/);
  assert.equal(await mp.getAttribute('#g-amount_min', 'aria-invalid'), 'true');
  assert.equal(await mp.getAttribute('#g-amount_min', 'aria-describedby'), 'g-amount_min-error');
  assert.equal(await mp.evaluate(() => document.activeElement.id), 'g-amount_min');
  await mp.fill('#g-amount_min', '50000');
  await mp.fill('#g-amount_max', '1000000');
  await mp.fill('#g-url', 'javascript:alert(1)');
  await mp.click('#programme-form button[type="submit"]');
  await mp.waitForSelector('#g-url-error');
  assert.match(await mp.textContent('#g-url-error'), /http:\/\/ или https:\/\//);
  assert.equal(await mp.$('#g-amount_min-error'), null, 'the old message is gone');
  assert.equal((await call('GET', '/api/v1/grants/programmes?open=true&limit=200')).data.items.filter((g) => g.title === title).length, 0, 'nothing written');
  await mp.fill('#g-url', 'https://example.org/grant');
  await mp.fill('#g-description', 'Для школьных библиотек');
  await mp.click('#programme-form button[type="submit"]');
  assert.match(await banner(mp, '#programme-result'), /Программа добавлена/);
  let g = (await call('GET', '/api/v1/grants/programmes?open=true&limit=200')).data.items.find((x) => x.title === title);
  assert.ok(g, 'the programme is in the API');
  assert.deepEqual([g.funder, g.level, g.deadline, g.amount_min, g.amount_max, g.url, g.description, g.version],
    ['Фонд президентских грантов', 'federal', day(1), 50000, 1000000, 'https://example.org/grant', 'Для школьных библиотек', 1]);
  await mp.waitForSelector(`#programme-list td:has-text("${title}")`);
  // corrected: its form comes back filled, the write goes with its version
  await mp.click(`button:has-text("Изменить: ${title}")`);
  await mp.waitForSelector('#programme-form-title:focus');
  assert.equal(await mp.inputValue('#g-amount_max'), '1000000');
  await mp.selectOption('#g-level', 'regional');
  await mp.fill('#g-amount_max', '750000.50');
  await mp.fill('#g-description', '');
  await mp.click('#programme-form button[type="submit"]');
  assert.match(await banner(mp, '#programme-result'), /Программа изменена/);
  g = (await call('GET', `/api/v1/grants/programmes/${g.id}`)).data;
  assert.deepEqual([g.level, g.amount_max, g.description, g.title, g.version], ['regional', 750000.5, undefined, title, 2]);
  fx.pageProgramme = g;
  await shot(mp, 'grants-programmes', true);
  assert.deepEqual(mp.errors, []);
  await mp.context().close();

  // the school reads the programmes, may not change them, and starts a project under one
  const lp = await signedIn(lib);
  await lp.goto(base + '/grants.html');
  await lp.waitForSelector(`#programme-list td:has-text("${title}")`);
  assert.equal(await lp.$('#programme-form'), null, 'a librarian does not run programmes');
  assert.equal(await lp.$('#programme-list button:has-text("Изменить")'), null);
  await lp.click(`button:has-text("Новый проект: ${title}")`);
  await lp.waitForSelector('#p-title:focus');
  assert.equal(await lp.inputValue('#p-programme_id'), g.id);
  await lp.keyboard.type(`Проект по программе ${uniq}`);
  await lp.fill('#p-requested_amount', '700000');
  await lp.click('#project-form button[type="submit"]');
  await lp.waitForURL(/grants\.html\?id=/);
  const p = (await call('GET', `/api/v1/grants/projects/${new URL(lp.url()).searchParams.get('id')}`)).data;
  assert.deepEqual([p.title, p.programme_id, p.requested_amount, p.school], [`Проект по программе ${uniq}`, g.id, 700000, school]);
  assert.deepEqual(lp.errors, []);
  await lp.context().close();
});

test('training: attendance of two enrolments recorded day by day with the keyboard equals the API\'s; a day outside the course shown at the date field', async () => {
  const c = await make('/api/v1/training/courses', {
    title: `Посещаемость ${uniq}`, provider: 'ИРО', kind: 'seminar', format: 'in_person', hours: 16, starts_on: day(-3), ends_on: day(3),
  });
  const [s1, s2] = await makeAll('/api/v1/training/staff', [
    { full_name: `Орлова Ольга ${uniq}`, school }, { full_name: `Петрова Полина ${uniq}`, school }]);
  const [e1, e2] = await makeAll('/api/v1/training/enrolments', [{ course_id: c.id, staff_id: s1.id }, { course_id: c.id, staff_id: s2.id }]);
  fx.attendanceCourse = c;
  const mp = await signedIn(meth);
  await courseEnrolments(mp, c.title);
  assert.ok(await mp.$('#attendance-form'));
  assert.match(await mp.textContent('#attendance'), /Посещаемость ещё не отмечена/);
  // a day after the course: refused, shown at the date
  await mp.fill('#at-date', day(5));
  await mp.click('#attendance-form button[type="submit"]');
  await mp.waitForSelector('#at-date-error');
  assert.match(await mp.textContent('#at-date-error'), /Курс идёт с/);
  assert.equal((await call('GET', `/api/v1/training/enrolments/${e1.id}`)).data.attendance.length, 0);
  // the keyboard alone: the day, Tab to the first person, Space, Tab, hours, Tab, Tab, Enter
  await mp.fill('#at-date', day(-1));
  const order = await mp.$$eval('#attendance-form tbody input[type="checkbox"]', (b) => b.map((x) => x.id.slice(3)));
  assert.deepEqual([...order].sort(), [e1.id, e2.id].sort());
  const [first, second] = order; // the rows in the API's order
  await mp.focus(`#at-${first}`);
  await mp.keyboard.press('Space');
  await mp.keyboard.press('Tab');
  assert.equal(await mp.evaluate(() => document.activeElement.id), `ah-${first}`);
  await mp.keyboard.type('4');
  await mp.keyboard.press('Tab');
  assert.equal(await mp.evaluate(() => document.activeElement.id), `at-${second}`);
  await mp.keyboard.press('Tab');
  await mp.keyboard.press('Enter');
  assert.match(await banner(mp, '#attendance-result'), /сохранена: были 1 из 2/);
  // the next day both were there
  await mp.fill('#at-date', day(0));
  await mp.dispatchEvent('#at-date', 'change');
  assert.equal(await mp.isChecked(`#at-${first}`), false, 'a new day starts empty');
  await mp.check(`#at-${first}`);
  await mp.check(`#at-${second}`);
  await mp.fill(`#ah-${second}`, '25'); // above a day's 24 hours: refused at the field, nothing sent
  await mp.press(`#ah-${second}`, 'Enter');
  await mp.waitForSelector(`#ah-${second}-error`);
  assert.equal((await call('GET', `/api/v1/training/enrolments/${first}`)).data.attendance.length, 1);
  await mp.fill(`#ah-${second}`, '6');
  await mp.press(`#ah-${second}`, 'Enter');
  assert.match(await banner(mp, '#attendance-result'), /сохранена: были 2 из 2/);
  // what the API holds is what the page recorded, and what its log shows
  const api = (await call('GET', `/api/v1/training/enrolments?course_id=${c.id}`)).data.items;
  const byId = Object.fromEntries(api.map((e) => [e.id, e]));
  assert.deepEqual(byId[first].attendance, [{ date: day(-1), present: true, hours: 4 }, { date: day(0), present: true }]);
  assert.deepEqual(byId[second].attendance, [{ date: day(-1), present: false }, { date: day(0), present: true, hours: 6 }]);
  assert.deepEqual([byId[first].days_present, byId[second].days_present], [2, 1]);
  const shown = await mp.$$eval('#attendance-log tbody tr', (rows) => rows.map((r) => [r.dataset.enrolment,
    [...r.querySelectorAll('td')].map((td) => [td.dataset.date, td.textContent])]));
  const expected = api.map((e) => [e.id, e.attendance.map((a) => [a.date, `${a.present ? 'был' : 'не был'}${a.hours !== undefined ? `, ${a.hours} ч` : ''}`])]);
  assert.deepEqual(shown, expected);
  // going back to a day shows what was recorded for it
  await mp.fill('#at-date', day(-1));
  await mp.dispatchEvent('#at-date', 'change');
  assert.deepEqual([await mp.isChecked(`#at-${first}`), await mp.inputValue(`#ah-${first}`), await mp.isChecked(`#at-${second}`)], [true, '4', false]);
  await shot(mp, 'training-attendance', true);
  assert.deepEqual(mp.errors, []);
  await mp.context().close();

  // the school sees the log, records nothing (the API's attendance is the network's)
  const lp = await signedIn(lib);
  await courseEnrolments(lp, c.title);
  assert.equal(await lp.$('#attendance-form'), null);
  assert.equal(await lp.$$eval('#attendance-log tbody tr', (r) => r.length), 2);
  assert.deepEqual(lp.errors, []);
  await lp.context().close();
});

test('monitoring: a campaign closed from its list after a confirmation is closed in the API; the school\'s open form then refuses, and the campaign offers no answering', async () => {
  const title = `Закрываемая ${uniq}`;
  const c = await make('/api/v1/monitoring/campaigns', { title, questions: [{ code: 'visits', text: 'Посещений', kind: 'number', min: 0, max: 100 }] });
  fx.closedCampaign = c;
  // the school opens its form while the campaign is open
  const lp = await signedIn(lib);
  await lp.goto(`${base}/survey.html?id=${c.id}`);
  await lp.waitForSelector('#survey-form button[type="submit"]');
  await lp.fill('#a-visits', '5');

  const mp = await signedIn(meth);
  await mp.goto(base + '/monitoring.html');
  await mp.click(`button:has-text("Закрыть: ${title}")`);
  await mp.waitForSelector('dialog.confirm[open]');
  assert.match(await mp.textContent('dialog.confirm'), /не смогут отправить или исправить ответы/);
  assert.equal(await mp.evaluate(() => document.activeElement.textContent), 'Отмена', 'the safe choice has the focus');
  await mp.keyboard.press('Escape'); // cancelled: nothing changes
  await mp.waitForSelector('dialog.confirm', { state: 'detached' });
  assert.equal((await call('GET', `/api/v1/monitoring/campaigns/${c.id}`)).data.status, 'open');
  await mp.click(`button:has-text("Закрыть: ${title}")`);
  await mp.click('#confirm-yes');
  assert.match(await banner(mp, '#close-result'), /Кампания закрыта/);
  const closed = (await call('GET', `/api/v1/monitoring/campaigns/${c.id}`)).data;
  assert.equal(closed.status, 'closed');
  assert.ok(closed.closed_at);
  const row = mp.locator('#campaign-list tr', { hasText: title });
  assert.match(await row.textContent(), /закрыта/);
  assert.equal(await row.locator('button').count(), 0, 'no closing twice');
  assert.equal(await row.locator('a:has-text("Заполнить")').count(), 0, 'no answering');
  assert.deepEqual(mp.errors, []);
  await mp.context().close();

  // the form opened before: refused, nothing stored
  await lp.click('#survey-form button[type="submit"]');
  assert.match(await banner(lp, '#survey-result'), /Кампания закрыта: ответ не принят/);
  assert.equal((await call('GET', `/api/v1/monitoring/campaigns/${c.id}/answers/${school}`)).status, 404);
  assert.equal(await lp.$('#survey-form button[type="submit"]'), null);
  // opened again: read only, nothing to send
  await lp.reload();
  await lp.waitForSelector('#closed-note');
  assert.equal(await lp.$('#survey-form button'), null);
  assert.equal(await lp.isDisabled('#a-visits'), true);
  assert.deepEqual(lp.errors, []);
  await lp.context().close();
});

test('paging: the staff and course lists go past their 200th row a page at a time, as the API orders them', async () => {
  const pschool = `wfp-${uniq}`;
  const plib = { login: `wfp${uniq}`, password: 'пароль-страниц-2' };
  await make('/api/v1/monitoring/schools', { id: pschool, name: `Школа страниц ${uniq}`, kind: 'school' });
  await make('/api/v1/admin/accounts', { ...plib, org: pschool, role: 'librarian', name: 'Ирина Петровна' });
  const n = (i) => String(i + 1).padStart(3, '0');
  const t0 = Date.now();
  await Promise.all([
    makeAll('/api/v1/training/staff', Array.from({ length: 205 }, (_, i) => ({ full_name: `Страничная ${uniq} ${n(i)}`, school: pschool }))),
    makeAll('/api/v1/training/courses', Array.from({ length: 205 }, (_, i) => ({
      title: `Страничный курс ${uniq} ${n(i)}`, provider: 'ИРО', kind: 'webinar', format: 'distance', hours: 2, starts_on: day(400), ends_on: day(400),
    })))]);
  console.log(`410 staff and courses created through the API in ${Date.now() - t0} ms`);

  const lp = await signedIn(plib);
  await lp.goto(base + '/training.html');
  await lp.waitForSelector('#staff-list caption:text-is("Сотрудники: 205")');
  assert.equal(await lp.$$eval('#staff-list tbody tr', (r) => r.length), 50);
  assert.equal(await lp.textContent('#staff-pages .count'), 'Строки 1–50 из 205');
  assert.equal(await lp.$('#staff-pages button[data-rel="prev"]'), null);
  // the keyboard: Enter on "Следующие", and the focus stays on it
  await lp.focus('#staff-pages button[data-rel="next"]');
  for (let i = 2; i <= 5; i++) {
    await lp.keyboard.press('Enter');
    await lp.waitForSelector(`#staff-pages .count:has-text("Строки ${(i - 1) * 50 + 1}–")`);
  }
  assert.equal(await lp.textContent('#staff-pages .count'), 'Строки 201–205 из 205');
  assert.equal(await lp.$('#staff-pages button[data-rel="next"]'), null, 'no page after the last');
  assert.equal(await lp.evaluate(() => document.activeElement.dataset.rel), 'prev');
  const want = (await call('GET', `/api/v1/training/staff?school=${pschool}&limit=50&offset=200`)).data.items.map((s) => s.full_name);
  assert.equal(want.length, 5);
  assert.deepEqual(await lp.$$eval('#staff-list tbody td:first-child', (c) => c.map((x) => x.textContent)), want);
  assert.ok(want.includes(`Страничная ${uniq} 205`), 'the 205th person is shown');
  await lp.keyboard.press('Enter'); // back one page
  await lp.waitForSelector('#staff-pages .count:has-text("Строки 151–200 из 205")');
  assert.deepEqual(lp.errors, []);
  await lp.context().close();

  const mp = await signedIn(meth);
  await mp.goto(base + '/training.html');
  await mp.fill('#course-q', `Страничный курс ${uniq}`);
  await mp.press('#course-q', 'Enter');
  await mp.waitForSelector('#course-list caption:text-is("Курсы и семинары: 205")');
  for (let i = 2; i <= 5; i++) {
    await mp.click('#course-pages button[data-rel="next"]');
    await mp.waitForSelector(`#course-pages .count:has-text("Строки ${(i - 1) * 50 + 1}–")`);
  }
  const courses = (await call('GET', `/api/v1/training/courses?q=${encodeURIComponent(`Страничный курс ${uniq}`)}&limit=50&offset=200`)).data.items.map((x) => x.title);
  assert.deepEqual(await mp.$$eval('#course-list tbody td:first-child', (c) => c.map((x) => x.textContent)), courses);
  assert.ok(courses.includes(`Страничный курс ${uniq} 205`));
  await shot(mp, 'training-paging');
  assert.deepEqual(mp.errors, []);
  await mp.context().close();
});

test('bad input: HTML in a course, programme or project title is shown as text and never runs; a double click on a workflow step makes one step', async () => {
  const evil = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Злой ${uniq}`;
  await make('/api/v1/training/courses', { title: evil, provider: evil, kind: 'seminar', format: 'distance', hours: 4, starts_on: day(5), ends_on: day(5) });
  const project = await make('/api/v1/grants/projects', { title: evil, school, requested_amount: 50000, programme_id: fx.programme.id });
  const programme = await make('/api/v1/grants/programmes', { title: evil, funder: evil, level: 'charitable', deadline: day(0), amount_min: 1, amount_max: 2 });
  const page = await signedIn(lib);
  await page.goto(base + '/grants.html');
  await page.waitForSelector(`#programme-list tr:has-text("Злой ${uniq}")`);
  const row = page.locator('#programme-list tbody tr', { hasText: `Злой ${uniq}` });
  assert.equal(await row.locator('td').first().textContent(), evil);
  assert.equal(await page.$eval(`#p-programme_id option[value="${programme.id}"]`, (o, text) => o.textContent.startsWith(text), evil), true);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.$$eval('#content img, #content script', (e) => e.length), 0);
  await page.goto(base + '/training.html');
  await page.fill('#course-q', `Злой ${uniq}`);
  await page.press('#course-q', 'Enter');
  await page.waitForSelector('#course-list caption:text-is("Курсы и семинары: 1")');
  assert.equal(await page.textContent('#course-list tbody td:first-child'), evil);
  await page.goto(`${base}/grants.html?id=${project.id}`);
  await page.waitForSelector('#action-form button');
  assert.equal(await page.textContent('h1'), `Проект: ${evil}`);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.$$eval('#content img, #content script', (e) => e.length), 0);
  await page.dblclick('#action-form button:has-text("Подать заявку")');
  assert.match(await banner(page, '#action-result'), /Статус проекта: подан/);
  await page.waitForTimeout(500);
  assert.doesNotMatch(await page.textContent('#content'), /Отказано/);
  const hist = (await call('GET', `/api/v1/grants/projects/${project.id}/transitions`)).data.items;
  assert.deepEqual(hist.map((t) => t.to), ['draft', 'submitted']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the new pages pass axe-core and do not scroll sideways on a tablet (768 × 1024), for the school and the network', async () => {
  const projects = (await call('GET', `/api/v1/grants/projects?school=${school}`)).data.items;
  const campaigns = (await call('GET', '/api/v1/monitoring/campaigns?limit=1')).data.items;
  const pages = ['/training.html', '/grants.html', '/monitoring.html', '/passport.html', `/passport.html?school=${school}`];
  if (projects[0]) pages.push(`/grants.html?id=${projects[0].id}`);
  if (campaigns[0]) pages.push(`/survey.html?id=${campaigns[0].id}`, `/survey.html?id=${campaigns[0].id}&school=${school}`);
  if (fx.closedCampaign) pages.push(`/survey.html?id=${fx.closedCampaign.id}`, `/survey.html?id=${fx.closedCampaign.id}&school=${school}`);
  // states a page reaches by its controls (network: the controls the school lacks)
  const states = [];
  if (fx.attendanceCourse) {
    states.push(['/training.html', 'a course\'s enrolments and attendance', (page) => courseEnrolments(page, fx.attendanceCourse.title)]);
  }
  states.push(['/training.html', 'the staff list\'s second page', async (page) => {
    const next = await page.$('#staff-pages button[data-rel="next"]');
    if (next) {
      await next.click();
      await page.waitForSelector('#staff-pages button[data-rel="prev"]');
    }
  }]);
  const network = new Map([[lib, false], [meth, true]]);
  if (fx.pageProgramme) {
    states.push(['/grants.html', 'a programme in its form', async (page) => {
      await page.click(`button:has-text("Изменить: ${fx.pageProgramme.title}")`);
      await page.waitForSelector('#programme-form-title:focus');
    }, true]);
  }
  states.push(['/monitoring.html', 'the confirmation of closing a campaign', async (page) => {
    await page.click('#campaign-list button:has-text("Закрыть")');
    await page.waitForSelector('dialog.confirm[open]');
  }, true]);
  const figures = [];
  // the page's own files (not its API calls), uncompressed, and its load time
  const weight = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource').filter((r) => r.initiatorType !== 'fetch');
    return { page: location.pathname + location.search.slice(0, 12), ms: Math.round(nav.loadEventEnd),
      kb: Math.round((nav.decodedBodySize + res.reduce((n, r) => n + r.decodedBodySize, 0)) / 1024) };
  };
  for (const who of [lib, meth]) {
    for (const viewport of [{ width: 1366, height: 768 }, { width: 768, height: 1024 }]) {
      const page = await signedIn(who, { viewport, bypassCSP: true, ...(viewport.width === 768 ? { hasTouch: true, isMobile: true } : {}) });
      for (const p of pages) {
        await page.goto(base + p);
        await page.waitForLoadState('networkidle');
        await axe(page, `${p} as ${who.login} at ${viewport.width}`);
        if (viewport.width === 768) assert.deepEqual(await tabletFaults(page), [], `${p} as ${who.login} at 768×1024`);
        else if (who === meth) figures.push(await page.evaluate(weight));
      }
      for (const [p, name, reach, networkOnly] of states) {
        if (networkOnly && !network.get(who)) continue;
        await page.goto(base + p);
        await page.waitForLoadState('networkidle');
        await reach(page);
        await axe(page, `${p} (${name}) as ${who.login} at ${viewport.width}`);
        if (viewport.width === 768) assert.deepEqual(await tabletFaults(page), [], `${p} (${name}) as ${who.login} at 768×1024`);
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  }
  console.log('new pages as a methodologist:', JSON.stringify(figures));
  for (const f of figures) assert.ok(f.ms < 5000 && f.kb < 300, JSON.stringify(f)); // bounds as in web.test.mjs
});
