// Training: the library staff (add, correct, mark who left), the courses of
// professional development (a methodologist adds them), enrolling staff in
// a course, its attendance day by day (the network records it) and a
// completion with its certificate. Both lists go by pages of 50 (the API's
// limit and offset).
import { h, $, clear, api, page, fmtDate, table, problemText, fieldError } from '/app.js';
import { field, values, say, onSubmit, searchForm, schoolOptions, named, pager, latest } from '/forms.js';

const PAGE = 50;
const kinds = [['course', 'курс повышения квалификации'], ['seminar', 'семинар'], ['webinar', 'вебинар'], ['consultation', 'консультация']];
const formats = [['in_person', 'очно'], ['distance', 'дистанционно'], ['blended', 'смешанный']];
const enrolStates = { enrolled: 'записан', completed: 'завершил', cancelled: 'отменено' };
const courseStates = { upcoming: 'впереди', running: 'идёт', finished: 'прошёл' };
const name = (list, v) => (list.find((x) => x[0] === v) || [v, v])[1];
let me;
let network;
let schools = [];
let course = null;
let active = null; // the active staff the person may enrol, loaded once
const people = new Map(); // staff id → {full_name, school}, from every list read
const listed = { staff: { q: '', offset: 0 }, courses: { q: '', offset: 0 } };

function remember(items) {
  for (const s of items) people.set(s.id, s);
}

const staffLoads = latest();
async function loadStaff(q = listed.staff.q, offset = 0) {
  Object.assign(listed.staff, { q, offset });
  const r = await staffLoads(api('GET', `/api/v1/training/staff?limit=${PAGE}&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ''}`));
  if (!r) return;
  if (r.ok) remember(r.data.items);
  clear($('#staff-list'), r.ok ? [table(`Сотрудники: ${r.data.total}`, [
    { key: 'full_name', title: 'ФИО' }, { key: 'position', title: 'Должность' }, { key: 'school', title: 'Школа' },
    { title: 'Принят', get: (s) => fmtDate(s.hired_on) }, { title: 'Уволен', get: (s) => fmtDate(s.left_on) },
    { title: 'Действия', get: (s) => h('button', { type: 'button', onclick: () => staffForm(s) }, named('Изменить', s.full_name)) },
  ], r.data.items), pager('staff-pages', 'сотрудники', r.data, r.data.items.length, (off) => loadStaff(q, off))]
    : h('p', { class: 'result bad' }, problemText(r).title));
}

// The staff form: a new person, or s to correct (PUT with its version).
function staffForm(s = null) {
  const box = h('div', { id: 'staff-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'staff-form', novalidate: true },
    h('h3', {}, s ? `Изменить: ${s.full_name}` : 'Новый сотрудник'),
    h('div', { class: 'cols' },
      field('full_name', 'ФИО', 'text', { required: true, value: s?.full_name, id: 'st-full_name' }),
      field('position', 'Должность', 'text', { value: s?.position, id: 'st-position' }),
      network ? field('school', 'Школа', 'select', { options: schools, id: 'st-school' }) : null,
      field('hired_on', 'Принят на работу', 'date', { value: s?.hired_on, id: 'st-hired_on' }),
      field('left_on', 'Уволен (если ушёл)', 'date', { value: s?.left_on, id: 'st-left_on' })),
    box,
    h('button', { type: 'submit', class: 'primary' }, s ? 'Сохранить' : 'Добавить сотрудника'),
    s ? h('button', { type: 'button', onclick: () => staffForm() }, 'Отмена') : null);
  if (network) form.elements.school.value = s?.school || schools[0]?.[0] || '';
  const names = ['full_name', 'position', 'school', 'hired_on', 'left_on'];
  onSubmit(form, box, () => (s
    ? api('PUT', `/api/v1/training/staff/${s.id}`, values(form, names, true), { headers: { 'If-Match': `"${s.version}"` } })
    : api('POST', '/api/v1/training/staff', values(form, names))), async (r) => {
    active = null;
    await loadStaff(listed.staff.q, listed.staff.offset);
    staffForm();
    say($('#staff-result'), true, s ? `Изменено: ${r.data.full_name}` : `Добавлен сотрудник: ${r.data.full_name}`);
  });
  const old = $('#staff-form');
  if (old) old.replaceWith(form);
  else $('#staff').append(form);
  if (s) form.elements.full_name.focus();
}

const courseLoads = latest();
async function loadCourses(q = listed.courses.q, offset = 0) {
  Object.assign(listed.courses, { q, offset });
  const r = await courseLoads(api('GET', `/api/v1/training/courses?limit=${PAGE}&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ''}`));
  if (!r) return;
  clear($('#course-list'), r.ok ? [table(`Курсы и семинары: ${r.data.total}`, [
    { key: 'title', title: 'Название' }, { key: 'provider', title: 'Кто проводит' },
    { title: 'Вид', get: (c) => name(kinds, c.kind) }, { key: 'hours', title: 'Часов', num: true },
    { title: 'Даты', get: (c) => `${fmtDate(c.starts_on)} – ${fmtDate(c.ends_on)}` },
    { title: 'Мест', get: (c) => (c.capacity ? `${c.enrolled} из ${c.capacity}` : `${c.enrolled}`) },
    { title: 'Состояние', get: (c) => courseStates[c.status] || c.status },
    { title: 'Записи', get: (c) => h('button', { type: 'button', onclick: () => openCourse(c) }, named('Записи', c.title)) },
  ], r.data.items), pager('course-pages', 'курсы', r.data, r.data.items.length, (off) => loadCourses(q, off))]
    : h('p', { class: 'result bad' }, problemText(r).title));
}

function courseForm() {
  const box = h('div', { id: 'course-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'course-form', novalidate: true },
    h('h3', {}, 'Новый курс'),
    h('div', { class: 'cols' },
      field('title', 'Название', 'text', { required: true, id: 'c-title' }),
      field('provider', 'Кто проводит', 'text', { required: true, id: 'c-provider' }),
      field('kind', 'Вид', 'select', { options: kinds, id: 'c-kind' }),
      field('format', 'Формат', 'select', { options: formats, id: 'c-format' }),
      field('hours', 'Часов', 'number', { required: true, id: 'c-hours', attrs: { min: 1, max: 2000 } }),
      field('starts_on', 'Начало', 'date', { required: true, id: 'c-starts_on' }),
      field('ends_on', 'Окончание', 'date', { required: true, id: 'c-ends_on' }),
      field('capacity', 'Мест (пусто — без ограничения)', 'number', { id: 'c-capacity', attrs: { min: 1 } }),
      field('location', 'Где', 'text', { id: 'c-location' })),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Создать курс'));
  const names = ['title', 'provider', 'kind', 'format', 'hours', 'starts_on', 'ends_on', 'capacity', 'location'];
  onSubmit(form, box, () => api('POST', '/api/v1/training/courses', values(form, names)), async (r) => {
    form.reset();
    say(box, true, `Курс создан: ${r.data.title}`);
    await loadCourses();
  });
  return form;
}

// Every active staff member the person may enrol (a librarian: their
// school's), page by page of the API's largest page.
async function activeStaff() {
  if (active) return active;
  const all = [];
  for (let offset = 0; ; offset += 200) {
    const r = await api('GET', `/api/v1/training/staff?status=active&limit=200&offset=${offset}`);
    if (!r.ok) break;
    all.push(...r.data.items);
    if (!r.data.items.length || all.length >= r.data.total) break;
  }
  remember(all);
  active = all;
  return all;
}

// The names of enrolled people not read yet (who left, or on no page read).
async function namesOf(items) {
  const missing = [...new Set(items.map((e) => e.staff_id).filter((id) => !people.has(id)))];
  const got = await Promise.all(missing.map((id) => api('GET', `/api/v1/training/staff/${id}`)));
  remember(got.filter((r) => r.ok).map((r) => r.data));
}

// The enrolments of course c: enrol someone, attendance, complete, cancel.
async function openCourse(c) {
  course = c;
  const sec = $('#enrol');
  const box = h('div', { id: 'enrol-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card row', id: 'enrol-form', novalidate: true },
    field('staff_id', 'Сотрудник', 'select', { id: 'e-staff', options: (await activeStaff()).map((s) => [s.id, `${s.full_name} (${s.school})`]) }),
    h('button', { type: 'submit', class: 'primary' }, 'Записать на курс'));
  onSubmit(form, box, () => api('POST', '/api/v1/training/enrolments', { course_id: c.id, staff_id: form.elements.staff_id.value }), async (r) => {
    await listEnrolments();
    say($('#enrol-result'), true, `Записан: ${who(r.data.staff_id)}`);
  });
  clear(sec, h('h2', { id: 'enrol-title', tabindex: '-1' }, `Записи на курс «${c.title}»`), form, box, h('div', { id: 'enrol-list' }),
    h('div', { id: 'attendance' }), h('div', { id: 'complete' }));
  await listEnrolments();
  $('#enrol-title').focus();
}

const who = (id) => people.get(id)?.full_name || id;

async function listEnrolments(day) {
  const r = await api('GET', `/api/v1/training/enrolments?course_id=${course.id}&limit=200`);
  if (!r.ok) return clear($('#enrol-list'), h('p', { class: 'result bad' }, problemText(r).title));
  await namesOf(r.data.items);
  clear($('#enrol-list'), table(`Записано: ${r.data.total}`, [
    { title: 'Сотрудник', get: (e) => who(e.staff_id) }, { key: 'school', title: 'Школа' },
    { title: 'Состояние', get: (e) => `${enrolStates[e.status] || e.status}${e.days_present ? `, был дней: ${e.days_present}` : ''}` },
    { key: 'certificate_number', title: 'Удостоверение' }, { key: 'hours_earned', title: 'Часов', num: true },
    { title: 'Действия', get: (e) => (e.status !== 'enrolled' ? '' : h('span', {},
      network ? h('button', { type: 'button', onclick: () => completeForm(e) }, named('Завершил', who(e.staff_id))) : null, ' ',
      h('button', { type: 'button', onclick: () => cancel(e) }, named('Отменить запись', who(e.staff_id))))) },
  ], r.data.items));
  clear($('#attendance'), h('h3', {}, 'Посещаемость'), attendanceLog(r.data.items), network ? attendanceForm(r.data.items, day) : null);
}

// What is recorded: a row per person, a column per day recorded for anyone.
function attendanceLog(items) {
  const days = [...new Set(items.flatMap((e) => (e.attendance || []).map((a) => a.date)))].sort();
  if (!days.length) return h('p', { id: 'attendance-log' }, 'Посещаемость ещё не отмечена.');
  const mark = (e, d) => {
    const a = (e.attendance || []).find((x) => x.date === d);
    if (!a) return '';
    return `${a.present ? 'был' : 'не был'}${a.hours !== undefined ? `, ${a.hours} ч` : ''}`;
  };
  return h('div', { class: 'heat-wrap', role: 'region', tabindex: '0', 'aria-label': 'Журнал посещаемости' },
    h('table', { id: 'attendance-log' }, h('caption', {}, 'Журнал посещаемости'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Сотрудник'), days.map((d) => h('th', { scope: 'col' }, fmtDate(d))))),
      h('tbody', {}, items.map((e) => h('tr', { 'data-enrolment': e.id }, h('th', { scope: 'row' }, who(e.staff_id)),
        days.map((d) => h('td', { 'data-date': d }, mark(e, d))))))));
}

// The network records one day of the course: a row per enrolled person,
// "был" and hours; each row is one POST of the API (date, present, hours).
function attendanceForm(items, day) {
  const enrolled = items.filter((e) => e.status === 'enrolled');
  if (!enrolled.length) return null;
  const today = new Date().toISOString().slice(0, 10);
  const clamp = (d) => (d < course.starts_on ? course.starts_on : d > course.ends_on ? course.ends_on : d);
  const box = h('div', { id: 'attendance-result', 'aria-live': 'polite' });
  const rows = enrolled.map((e) => {
    const present = h('input', { type: 'checkbox', id: `at-${e.id}`, name: `present.${e.id}` });
    const hours = h('input', { type: 'number', id: `ah-${e.id}`, name: `hours.${e.id}`, min: 0, max: 24, inputmode: 'numeric', 'aria-label': `Часов: ${who(e.staff_id)}` });
    return { e, present, hours, tr: h('tr', {}, h('th', { scope: 'row' }, who(e.staff_id)),
      h('td', {}, h('label', { class: 'inline', for: present.id }, present, 'был', h('span', { class: 'sr-only' }, `: ${who(e.staff_id)}`))),
      h('td', {}, hours)) };
  });
  const date = h('input', { type: 'date', id: 'at-date', name: 'date', required: true, min: course.starts_on, max: course.ends_on, value: day || clamp(today) });
  const fill = () => {
    for (const { e, present, hours } of rows) {
      const a = (e.attendance || []).find((x) => x.date === date.value);
      present.checked = !!a?.present;
      hours.value = a?.hours ?? '';
    }
  };
  date.addEventListener('change', fill);
  fill();
  const form = h('form', { class: 'card', id: 'attendance-form', novalidate: true },
    h('h3', {}, 'Отметить день'),
    h('div', { class: 'field' }, h('label', { for: 'at-date' }, `День занятий (с ${fmtDate(course.starts_on)} по ${fmtDate(course.ends_on)})`), date),
    h('table', {}, h('caption', {}, 'Кто был в этот день'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Сотрудник'), h('th', { scope: 'col' }, 'Присутствие'), h('th', { scope: 'col' }, 'Часов (0–24, пусто — не указано)'))),
      h('tbody', {}, rows.map((r) => r.tr))),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Сохранить посещаемость'));
  onSubmit(form, box, async () => {
    const bad = rows.find(({ hours }) => hours.value.trim() && !/^([0-9]|1[0-9]|2[0-4])$/.test(hours.value.trim()));
    if (bad) {
      fieldError(bad.hours, 'Допустимо от 0 до 24 (целое число часов).');
      bad.hours.focus();
      return { ok: true, handled: true };
    }
    let last = { ok: true };
    for (const { e, present, hours } of rows) {
      const body = { date: date.value, present: present.checked };
      if (hours.value.trim()) body.hours = Number(hours.value);
      last = await api('POST', `/api/v1/training/enrolments/${e.id}/attendance`, body);
      if (!last.ok) return last;
    }
    return last;
  }, async (r) => {
    if (r.handled) return;
    const d = date.value;
    const n = rows.filter((x) => x.present.checked).length;
    await listEnrolments(d);
    say($('#attendance-result'), true, `Посещаемость за ${fmtDate(d)} сохранена: были ${n} из ${rows.length}`);
    $('#at-date').focus();
  });
  return form;
}

async function cancel(e) {
  const r = await api('POST', `/api/v1/training/enrolments/${e.id}/cancel`, {});
  if (r.ok) say($('#enrol-result'), true, `Запись отменена: ${who(e.staff_id)}`);
  else say($('#enrol-result'), false, problemText(r).title, r.data?.detail);
  await listEnrolments();
}

function completeForm(e) {
  const box = h('div', { id: 'complete-result', 'aria-live': 'polite' });
  const today = new Date().toISOString().slice(0, 10);
  const form = h('form', { class: 'card', id: 'complete-form', novalidate: true },
    h('h3', {}, `Завершение курса: ${who(e.staff_id)}`),
    h('div', { class: 'cols' },
      field('certificate_number', 'Номер удостоверения', 'text', { required: course.kind === 'course', id: 'k-certificate_number' }),
      field('hours', `Часов (не больше ${course.hours})`, 'number', { value: course.hours, id: 'k-hours', attrs: { min: 1, max: course.hours } }),
      field('completed_on', 'Дата завершения', 'date', { required: true, value: today > course.ends_on ? course.ends_on : today, id: 'k-completed_on' })),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Отметить завершение'));
  onSubmit(form, box, () => api('POST', `/api/v1/training/enrolments/${e.id}/complete`, values(form, ['certificate_number', 'hours', 'completed_on'])), async () => {
    clear($('#complete'));
    await listEnrolments();
    say($('#enrol-result'), true, `Курс завершён: ${who(e.staff_id)}`);
  });
  clear($('#complete'), form);
  form.elements.certificate_number.focus();
}

await page(async (who_) => {
  me = who_;
  network = me.role !== 'librarian';
  if (network) schools = await schoolOptions(api);
  clear($('#content'),
    h('section', { id: 'staff', 'aria-labelledby': 'h-staff' }, h('h2', { id: 'h-staff' }, 'Сотрудники библиотек'),
      searchForm('staff-q', 'Найти сотрудника (ФИО или должность)', loadStaff), h('div', { id: 'staff-list' })),
    h('section', { id: 'courses', 'aria-labelledby': 'h-courses' }, h('h2', { id: 'h-courses' }, 'Курсы повышения квалификации'),
      searchForm('course-q', 'Найти курс (название или кто проводит)', loadCourses),
      h('div', { id: 'course-list' }), network ? courseForm() : null),
    h('section', { id: 'enrol', 'aria-live': 'polite' }));
  staffForm();
  await Promise.all([loadStaff(), loadCourses()]);
}, ['admin', 'methodologist', 'librarian']);
