// Grant projects: the list, a new draft (a librarian for their school, the
// network for any), and a project's page with its workflow: the buttons are
// the transitions the API says the person may make from the project's
// status (`actions`), the history under them.
import { h, $, clear, api, page, fmtDate, fmtNum, table, problemText, roleName } from '/app.js';
import { field, values, say, onSubmit, showProblem, clearProblems, schoolOptions } from '/forms.js';

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
let network;

async function list() {
  const r = await api('GET', '/api/v1/grants/projects?limit=200');
  clear($('#projects'), r.ok ? table(`Проекты: ${r.data.total}`, [
    { title: 'Проект', get: (p) => h('a', { href: `/grants.html?id=${encodeURIComponent(p.id)}` }, p.title) },
    { key: 'school', title: 'Школа' }, { title: 'Статус', get: (p) => statusNames[p.status] || p.status },
    { title: 'Запрошено', num: true, get: (p) => rub(p.requested_amount) },
    { title: 'Одобрено', num: true, get: (p) => rub(p.awarded_amount) },
  ], r.data.items) : h('p', { class: 'result bad' }, problemText(r).title));
}

async function newForm() {
  const [progs, schools] = await Promise.all([api('GET', '/api/v1/grants/programmes?open=true&limit=200'), network ? schoolOptions(api) : []]);
  const programmes = (progs.ok ? progs.data.items : []).map((g) => [g.id, `${g.title} — ${g.funder}, до ${fmtDate(g.deadline)} (${fmtNum(g.amount_min)}–${fmtNum(g.amount_max)} ₽)`]);
  const box = h('div', { id: 'project-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'project-form', novalidate: true },
    h('h2', {}, 'Новый проект'),
    h('div', { class: 'cols' },
      field('title', 'Название проекта', 'text', { required: true, id: 'p-title' }),
      network ? field('school', 'Школа', 'select', { options: schools, id: 'p-school' }) : null,
      field('programme_id', 'Грантовая программа', 'select', { options: [['', 'не выбрана'], ...programmes], id: 'p-programme_id' }),
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
  clear($('#content'), h('div', { id: 'projects' }), await newForm());
  await list();
}, ['admin', 'methodologist', 'librarian']);
