// The training, grants and monitoring forms of the web workstation in a real
// browser (Debian's headless chromium, playwright-core) against the
// integration stack: every form creates what the API then holds (read back
// with the admin key), a refusal shows next to its field, a project moves
// along its workflow by its buttons, a school's survey answer is counted in
// the campaign's completion; axe-core and the tablet layout on every page.
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
  await page.waitForSelector('#roadmap-list caption:has-text("Мероприятия: 1")');
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

test('bad input: HTML in a course or project title is shown as text and never runs; a double click on a workflow step makes one step', async () => {
  const evil = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Злой ${uniq}`;
  await make('/api/v1/training/courses', { title: evil, provider: evil, kind: 'seminar', format: 'distance', hours: 4, starts_on: day(5), ends_on: day(5) });
  const project = await make('/api/v1/grants/projects', { title: evil, school, requested_amount: 50000, programme_id: fx.programme.id });
  const page = await signedIn(lib);
  await page.goto(base + '/training.html');
  await page.fill('#course-q', `Злой ${uniq}`);
  await page.press('#course-q', 'Enter');
  await page.waitForSelector('#course-list caption:has-text("Курсы и семинары: 1")');
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
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  }
  console.log('new pages as a methodologist:', JSON.stringify(figures));
  for (const f of figures) assert.ok(f.ms < 5000 && f.kb < 300, JSON.stringify(f)); // bounds as in web.test.mjs
});
