// Grants: the funders' programmes (every staff role reads them; the
// network, methodologists and admins, adds and corrects them), the projects,
// a new draft (a librarian for their school, the network for any) whose
// programme is picked from the open ones, and a project's page with its
// workflow: the buttons are the transitions the API says the person may
// make from the project's status (`actions`), the history under them.
import { h, $, clear, api, page, fmtDate, fmtNum, table, problemText, roleName } from '/app.js';
import { field, values, say, onSubmit, showProblem, clearProblems, schoolOptions, named, pager, latest } from '/forms.js';

const statusNames = {
  draft: 'черновик', submitted: 'подан', under_review: 'на рассмотрении', approved: 'одобрен', rejected: 'отклонён',
  in_progress: 'выполняется', completed: 'завершён', withdrawn: 'отозван',
};
const actionNames = {
  submitted: 'Подать заявку', under_review: 'Взять на рассмотрение', approved: 'Одобрить', rejected: 'Отклонить',
  in_progress: 'Начать выполнение', completed: 'Завершить проект', withdrawn: 'Отозвать',
};
const rub = (n) => (n === null || n === undefined ? ''
  : `${Number(n).toLocaleString('ru-RU', { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 })} ₽`);
const levels = [['federal', 'федеральная'], ['regional', 'региональная'], ['municipal', 'муниципальная'],
  ['commercial', 'коммерческая'], ['charitable', 'благотворительная']];
const PAGE = 50;
let network;
let today;

// The programmes, soonest deadline first, a page at a time; the network
// corrects one, anyone starts a project under an open one.
const programmeLoads = latest();
async function programmes(offset = 0) {
  const open = $('#programme-open')?.value ?? 'true';
  const r = await programmeLoads(api('GET', `/api/v1/grants/programmes?limit=${PAGE}&offset=${offset}${open ? `&open=${open}` : ''}`));
  if (!r) return;
  clear($('#programme-list'), r.ok ? [table(`Программы: ${r.data.total}`, [
    { title: 'Программа', get: (g) => [g.title, g.url && /^https?:\/\//.test(g.url) ? [' ', h('a', { href: g.url, rel: 'noopener noreferrer', target: '_blank' }, named('сайт', g.title))] : null] },
    { key: 'funder', title: 'Кто даёт' }, { title: 'Уровень', get: (g) => (levels.find((l) => l[0] === g.level) || [g.level, g.level])[1] },
    { title: 'Подать до', get: (g) => fmtDate(g.deadline) },
    { title: 'Сумма', num: true, get: (g) => `${rub(g.amount_min)} – ${rub(g.amount_max)}` },
    { title: 'Действия', get: (g) => h('span', { class: 'row' },
      g.deadline >= today ? h('button', { type: 'button', onclick: () => startProject(g) }, named('Новый проект', g.title)) : null,
      network ? h('button', { type: 'button', onclick: () => programmeForm(g) }, named('Изменить', g.title)) : null) },
  ], r.data.items), pager('programme-pages', 'программы', r.data, r.data.items.length, programmes)]
    : h('p', { class: 'result bad' }, problemText(r).title));
}

// The programme form (network): a new one, or g to correct (PUT with its
// version; members left empty become empty).
function programmeForm(g = null) {
  const box = h('div', { id: 'programme-result', 'aria-live': 'polite' });
  const v = (k) => g?.[k];
  const form = h('form', { class: 'card', id: 'programme-form', novalidate: true },
    h('h3', { id: 'programme-form-title', tabindex: '-1' }, g ? `Изменить программу: ${g.title}` : 'Новая программа'),
    h('div', { class: 'cols' },
      field('title', 'Название программы', 'text', { required: true, value: v('title'), id: 'g-title' }),
      field('funder', 'Кто даёт грант', 'text', { required: true, value: v('funder'), id: 'g-funder' }),
      field('level', 'Уровень', 'select', { options: levels, id: 'g-level' }),
      field('deadline', 'Подать заявку до', 'date', { required: true, value: v('deadline'), id: 'g-deadline' }),
      field('amount_min', 'Сумма от, ₽', 'number', { required: true, value: v('amount_min'), id: 'g-amount_min', attrs: { min: 0, step: '0.01' } }),
      field('amount_max', 'Сумма до, ₽', 'number', { required: true, value: v('amount_max'), id: 'g-amount_max', attrs: { min: 0, step: '0.01' } }),
      field('url', 'Сайт программы (http:// или https://)', 'url', { value: v('url'), id: 'g-url' })),
    field('description', 'Условия программы', 'area', { value: v('description'), id: 'g-description' }),
    box,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, g ? 'Сохранить программу' : 'Добавить программу'),
      g ? h('button', { type: 'button', onclick: () => programmeForm() }, 'Отмена') : null));
  if (g) form.elements.level.value = g.level;
  const names = ['title', 'funder', 'level', 'deadline', 'amount_min', 'amount_max', 'url', 'description'];
  onSubmit(form, box, () => (g
    ? api('PUT', `/api/v1/grants/programmes/${encodeURIComponent(g.id)}`, values(form, names, true), { headers: { 'If-Match': `"${g.version}"` } })
    : api('POST', '/api/v1/grants/programmes', values(form, names))), async (r) => {
    await Promise.all([programmes(), programmeOptions()]);
    programmeForm();
    say($('#programme-result'), true, g ? `Программа изменена: ${r.data.title}` : `Программа добавлена: ${r.data.title}`);
  });
  const old = $('#programme-form');
  if (old) old.replaceWith(form);
  else $('#programmes').append(form);
  if (g) $('#programme-form-title').focus();
}

// The open programmes as the new project's choices.
async function programmeOptions() {
  const r = await api('GET', `/api/v1/grants/programmes?open=true&limit=200`);
  const sel = $('#p-programme_id');
  if (!sel || !r.ok) return;
  const keep = sel.value;
  clear(sel, h('option', { value: '' }, 'не выбрана'), r.data.items.map((g) => h('option', { value: g.id },
    `${g.title} — ${g.funder}, до ${fmtDate(g.deadline)} (${fmtNum(g.amount_min)}–${fmtNum(g.amount_max)} ₽)`)));
  sel.value = keep;
}

// "Новый проект" at a programme: the project form with it picked.
function startProject(g) {
  const sel = $('#p-programme_id');
  if (![...sel.options].some((o) => o.value === g.id)) sel.append(h('option', { value: g.id }, `${g.title} — ${g.funder}`));
  sel.value = g.id;
  $('#p-title').focus();
}

async function list(offset = 0) {
  const r = await api('GET', `/api/v1/grants/projects?limit=${PAGE}&offset=${offset}`);
  clear($('#projects'), r.ok ? [table(`Проекты: ${r.data.total}`, [
    { title: 'Проект', get: (p) => h('a', { href: `/grants.html?id=${encodeURIComponent(p.id)}` }, p.title) },
    { key: 'school', title: 'Школа' }, { title: 'Статус', get: (p) => statusNames[p.status] || p.status },
    { title: 'Запрошено', num: true, get: (p) => rub(p.requested_amount) },
    { title: 'Одобрено', num: true, get: (p) => rub(p.awarded_amount) },
  ], r.data.items), pager('project-pages', 'проекты', r.data, r.data.items.length, list)] : h('p', { class: 'result bad' }, problemText(r).title));
}

async function newForm() {
  const schools = network ? await schoolOptions(api) : [];
  const box = h('div', { id: 'project-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'project-form', novalidate: true },
    h('h3', {}, 'Новый проект'),
    h('div', { class: 'cols' },
      field('title', 'Название проекта', 'text', { required: true, id: 'p-title' }),
      network ? field('school', 'Школа', 'select', { options: schools, id: 'p-school' }) : null,
      field('programme_id', 'Грантовая программа', 'select', { options: [['', 'не выбрана']], id: 'p-programme_id' }),
      field('requested_amount', 'Запрашиваемая сумма, ₽', 'number', { required: true, id: 'p-requested_amount', attrs: { min: 0, step: '0.01' } }),
      field('direction', 'Направление', 'text', { id: 'p-direction' }),
      field('start_date', 'Начало', 'date', { id: 'p-start_date' }),
      field('end_date', 'Окончание', 'date', { id: 'p-end_date' })),
    field('summary', 'Кратко о проекте', 'area', { id: 'p-summary' }),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Создать черновик'));
  const names = ['title', 'school', 'programme_id', 'requested_amount', 'direction', 'start_date', 'end_date', 'summary'];
  onSubmit(form, box, () => api('POST', '/api/v1/grants/projects', values(form, names)), (r) => {
    location.href = `/grants.html?id=${encodeURIComponent(r.data.id)}`;
  });
  return form;
}

// A project's page: its facts, the actions open to the person, its history.
async function project(id) {
  const [r, hist] = await Promise.all([api('GET', `/api/v1/grants/projects/${encodeURIComponent(id)}`),
    api('GET', `/api/v1/grants/projects/${encodeURIComponent(id)}/transitions`)]);
  if (!r.ok) return clear($('#content'), h('p', { class: 'result bad', role: 'alert' }, problemText(r).title));
  const p = r.data;
  $('h1').textContent = `Проект: ${p.title}`;
  const facts = [['Школа', p.school], ['Статус', statusNames[p.status] || p.status], ['Направление', p.direction],
    ['Программа', p.programme ? `${p.programme.title} — ${p.programme.funder}` : 'не выбрана'],
    ['Запрошено', rub(p.requested_amount)], ['Одобрено', rub(p.awarded_amount)],
    ['Сроки', p.start_date ? `${fmtDate(p.start_date)} – ${fmtDate(p.end_date)}` : ''], ['О проекте', p.summary]];
  const box = h('div', { id: 'action-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'action-form', novalidate: true },
    h('h2', {}, 'Следующий шаг'),
    p.actions.length ? null : h('p', {}, ['rejected', 'completed', 'withdrawn'].includes(p.status)
      ? 'Проект закрыт: шагов больше нет.' : 'Следующий шаг делает другая роль.'),
    p.actions.length ? field('comment', 'Комментарий (для отклонения обязательно)', 'area', { id: 'a-comment' }) : null,
    p.actions.includes('approved') ? field('awarded_amount', 'Одобренная сумма, ₽ (пусто — запрошенная)', 'number', { id: 'a-awarded_amount', attrs: { min: 0, step: '0.01' } }) : null,
    box,
    h('div', { class: 'row' }, p.actions.map((to) => h('button', { type: 'submit', value: to, class: to === 'rejected' || to === 'withdrawn' ? null : 'primary' }, actionNames[to] || to))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const to = e.submitter?.value;
    if (!to) return;
    clearProblems(form, box);
    const body = { to, ...values(form, ['comment']) };
    if (to === 'approved') Object.assign(body, values(form, ['awarded_amount']));
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    const res = await api('POST', `/api/v1/grants/projects/${encodeURIComponent(id)}/transitions`, body);
    for (const b of form.querySelectorAll('button')) b.disabled = false;
    if (!res.ok) return showProblem(form, res, box);
    await project(id);
    say($('#action-result'), true, `Статус проекта: ${statusNames[res.data.to] || res.data.to}`);
    $('#action-form h2').focus();
  });
  clear($('#content'),
    h('p', {}, h('a', { href: '/grants.html' }, '← Все проекты')),
    h('dl', { class: 'card' }, facts.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    form,
    h('h2', {}, 'История'),
    hist.ok ? table(null, [{ title: 'Когда', get: (t) => new Date(t.at).toLocaleString('ru-RU') },
      { title: 'Из', get: (t) => statusNames[t.from] || '' }, { title: 'В', get: (t) => statusNames[t.to] || t.to },
      { title: 'Роль', get: (t) => roleName(t.role) }, { key: 'org', title: 'Организация' }, { key: 'comment', title: 'Комментарий' }], hist.data.items) : null);
  $('#action-form h2').setAttribute('tabindex', '-1');
}

await page(async (me) => {
  network = me.role !== 'librarian';
  const id = new URLSearchParams(location.search).get('id');
  if (id) return project(id);
  today = new Date().toISOString().slice(0, 10);
  clear($('#content'),
    h('section', { id: 'programmes', 'aria-labelledby': 'h-programmes' }, h('h2', { id: 'h-programmes' }, 'Грантовые программы'),
      field('open', 'Показать программы', 'select', { id: 'programme-open', options: [['true', 'открытые (срок подачи не прошёл)'], ['false', 'прошедшие'], ['', 'все']],
        attrs: { onchange: () => programmes() } }),
      h('div', { id: 'programme-list' })),
    h('section', { 'aria-labelledby': 'h-projects' }, h('h2', { id: 'h-projects' }, 'Проекты школ'),
      h('div', { id: 'projects' }), await newForm()));
  if (network) programmeForm();
  await Promise.all([list(), programmes(), programmeOptions()]);
}, ['admin', 'methodologist', 'librarian']);
