// Training: the library staff (add, correct, mark who left), the courses of
// professional development (a methodologist adds them), enrolling staff in
// a course, and recording a completion with its certificate.
import { h, $, clear, api, page, fmtDate, table, problemText } from '/app.js';
import { field, values, say, onSubmit, searchForm, schoolOptions, named } from '/forms.js';

const kinds = [['course', 'курс повышения квалификации'], ['seminar', 'семинар'], ['webinar', 'вебинар'], ['consultation', 'консультация']];
const formats = [['in_person', 'очно'], ['distance', 'дистанционно'], ['blended', 'смешанный']];
const enrolStates = { enrolled: 'записан', completed: 'завершил', cancelled: 'отменено' };
const courseStates = { upcoming: 'впереди', running: 'идёт', finished: 'прошёл' };
const name = (list, v) => (list.find((x) => x[0] === v) || [v, v])[1];
let me;
let network;
let schools = [];
let staff = [];
let course = null;

async function loadStaff(q) {
  const r = await api('GET', `/api/v1/training/staff?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  staff = r.ok ? r.data.items : [];
  clear($('#staff-list'), r.ok ? table(`Сотрудники: ${r.data.total}`, [
    { key: 'full_name', title: 'ФИО' }, { key: 'position', title: 'Должность' }, { key: 'school', title: 'Школа' },
    { title: 'Принят', get: (s) => fmtDate(s.hired_on) }, { title: 'Уволен', get: (s) => fmtDate(s.left_on) },
    { title: 'Действия', get: (s) => h('button', { type: 'button', onclick: () => staffForm(s) }, named('Изменить', s.full_name)) },
  ], staff) : h('p', { class: 'result bad' }, problemText(r).title));
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
    await loadStaff();
    staffForm();
    say($('#staff-result'), true, s ? `Изменено: ${r.data.full_name}` : `Добавлен сотрудник: ${r.data.full_name}`);
  });
  const old = $('#staff-form');
  if (old) old.replaceWith(form);
  else $('#staff').append(form);
  if (s) form.elements.full_name.focus();
}

async function loadCourses(q) {
  const r = await api('GET', `/api/v1/training/courses?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  clear($('#course-list'), r.ok ? table(`Курсы и семинары: ${r.data.total}`, [
    { key: 'title', title: 'Название' }, { key: 'provider', title: 'Кто проводит' },
    { title: 'Вид', get: (c) => name(kinds, c.kind) }, { key: 'hours', title: 'Часов', num: true },
    { title: 'Даты', get: (c) => `${fmtDate(c.starts_on)} – ${fmtDate(c.ends_on)}` },
    { title: 'Мест', get: (c) => (c.capacity ? `${c.enrolled} из ${c.capacity}` : `${c.enrolled}`) },
    { title: 'Состояние', get: (c) => courseStates[c.status] || c.status },
    { title: 'Записи', get: (c) => h('button', { type: 'button', onclick: () => openCourse(c) }, named('Записи', c.title)) },
  ], r.data.items) : h('p', { class: 'result bad' }, problemText(r).title));
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

// The enrolments of course c: enrol someone, complete, cancel.
async function openCourse(c) {
  course = c;
  const sec = $('#enrol');
  const box = h('div', { id: 'enrol-result', 'aria-live': 'polite' });
  const active = staff.filter((s) => !s.left_on);
  const form = h('form', { class: 'card row', id: 'enrol-form', novalidate: true },
    field('staff_id', 'Сотрудник', 'select', { id: 'e-staff', options: active.map((s) => [s.id, `${s.full_name} (${s.school})`]) }),
    h('button', { type: 'submit', class: 'primary' }, 'Записать на курс'));
  onSubmit(form, box, () => api('POST', '/api/v1/training/enrolments', { course_id: c.id, staff_id: form.elements.staff_id.value }), async (r) => {
    await listEnrolments();
    say($('#enrol-result'), true, `Записан: ${who(r.data.staff_id)}`);
  });
  clear(sec, h('h2', { id: 'enrol-title', tabindex: '-1' }, `Записи на курс «${c.title}»`), form, box, h('div', { id: 'enrol-list' }), h('div', { id: 'complete' }));
  await listEnrolments();
  $('#enrol-title').focus();
}

const who = (id) => staff.find((s) => s.id === id)?.full_name || id;

async function listEnrolments() {
  const r = await api('GET', `/api/v1/training/enrolments?course_id=${course.id}&limit=200`);
  clear($('#enrol-list'), r.ok ? table(`Записано: ${r.data.total}`, [
    { title: 'Сотрудник', get: (e) => who(e.staff_id) }, { key: 'school', title: 'Школа' },
    { title: 'Состояние', get: (e) => enrolStates[e.status] || e.status },
    { key: 'certificate_number', title: 'Удостоверение' }, { key: 'hours_earned', title: 'Часов', num: true },
    { title: 'Действия', get: (e) => (e.status !== 'enrolled' ? '' : h('span', {},
      network ? h('button', { type: 'button', onclick: () => completeForm(e) }, named('Завершил', who(e.staff_id))) : null, ' ',
      h('button', { type: 'button', onclick: () => cancel(e) }, named('Отменить запись', who(e.staff_id))))) },
  ], r.data.items) : h('p', { class: 'result bad' }, problemText(r).title));
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
