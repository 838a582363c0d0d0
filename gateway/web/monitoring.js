// Monitoring: the survey campaigns with how many schools answered (a
// methodologist opens a new one with its questions and closes it after a
// confirmation; a school answers an open one on survey.html), and the roadmap's activities with their status, which the
// network updates and adds to.
import { h, $, clear, api, page, fmtDate, table, problemText } from '/app.js';
import { field, values, say, onSubmit, searchForm, named, confirmDialog, latest } from '/forms.js';

const qkinds = [['number', 'число'], ['yes_no', 'да / нет'], ['choice', 'выбор из вариантов'], ['text', 'текст']];
const activityStates = [['planned', 'запланировано'], ['in_progress', 'выполняется'], ['done', 'выполнено']];
let network;

async function campaigns() {
  const r = await api('GET', '/api/v1/monitoring/campaigns?limit=100');
  clear($('#campaign-list'), r.ok ? table(`Кампании: ${r.data.total}`, [
    { key: 'title', title: 'Кампания' }, { key: 'period', title: 'Период' }, { title: 'Срок', get: (c) => fmtDate(c.deadline) },
    { title: 'Состояние', get: (c) => (c.status === 'open' ? 'открыта'
      : h('span', { class: 'badge bad', 'data-state': 'closed' }, `закрыта${c.closed_at ? ` ${fmtDate(c.closed_at)}` : ''}`)) },
    { title: 'Ответили', num: true, get: (c) => `${c.answered} из ${c.schools}` },
    { title: 'Анкета', get: (c) => h('span', { class: 'row' },
      h('a', { href: `/survey.html?id=${encodeURIComponent(c.id)}` }, named(c.status === 'open' ? 'Заполнить' : 'Ответы', c.title)),
      network && c.status === 'open' ? h('button', { type: 'button', onclick: () => closeCampaign(c) }, named('Закрыть', c.title)) : null) },
  ], r.data.items) : h('p', { class: 'result bad' }, problemText(r).title));
}

// The network closes a campaign once it confirms: no answer is given or
// corrected after it.
async function closeCampaign(c) {
  const yes = await confirmDialog(`Закрыть кампанию «${c.title}»?`,
    'После закрытия школы не смогут отправить или исправить ответы. Отменить закрытие нельзя.', 'Закрыть кампанию');
  if (!yes) return;
  const r = await api('POST', `/api/v1/monitoring/campaigns/${encodeURIComponent(c.id)}/close`, {});
  await campaigns();
  if (r.ok) say($('#close-result'), true, `Кампания закрыта: ${c.title}`);
  else say($('#close-result'), false, problemText(r).title, r.data?.detail);
  $('#close-result .result').setAttribute('tabindex', '-1');
  $('#close-result .result').focus();
}

// One question's controls; i is its place, named questions[i].member so
// that a refusal naming 'questions[i].code' lands next to it.
function question(i) {
  const n = (m) => `questions[${i}].${m}`;
  const set = h('fieldset', { class: 'question' }, h('legend', {}, `Вопрос ${i + 1}`),
    h('div', { class: 'cols' },
      field(n('code'), 'Код (латиница, цифры, _)', 'text', { required: true, id: `q${i}-code` }),
      field(n('text'), 'Текст вопроса', 'text', { required: true, id: `q${i}-text` }),
      field(n('kind'), 'Вид ответа', 'select', { options: qkinds, id: `q${i}-kind` }),
      field(n('choices'), 'Варианты (через «;», для выбора)', 'text', { id: `q${i}-choices` }),
      field(n('min'), 'Не меньше (для числа)', 'number', { id: `q${i}-min` }),
      field(n('max'), 'Не больше (для числа)', 'number', { id: `q${i}-max` }),
      field(n('required'), 'Обязательный', 'check', { value: true, id: `q${i}-required` })));
  return set;
}

function questionsOf(form) {
  return [...form.querySelectorAll('fieldset.question')].map((_, i) => {
    const v = values(form, ['code', 'text', 'kind', 'choices', 'min', 'max', 'required'].map((m) => `questions[${i}].${m}`));
    const q = Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/^.*\./, ''), x]));
    if (q.choices !== undefined) q.choices = q.choices.split(';').map((s) => s.trim()).filter(Boolean);
    if (q.kind !== 'choice') delete q.choices;
    if (q.kind !== 'number') { delete q.min; delete q.max; }
    return q;
  });
}

function campaignForm() {
  const box = h('div', { id: 'campaign-result', 'aria-live': 'polite' });
  const qs = h('div', { id: 'questions' }, question(0));
  const add = h('button', { type: 'button', id: 'add-question' }, 'Добавить вопрос');
  add.addEventListener('click', () => {
    const q = question(qs.children.length);
    qs.append(q);
    q.querySelector('input').focus();
  });
  const form = h('form', { class: 'card', id: 'campaign-form', novalidate: true },
    h('h3', {}, 'Новая кампания'),
    h('div', { class: 'cols' },
      field('title', 'Название', 'text', { required: true, id: 'cm-title' }),
      field('period', 'Период (например 2026-Q4)', 'text', { id: 'cm-period' }),
      field('deadline', 'Срок ответа', 'date', { id: 'cm-deadline' })),
    qs, add, box,
    h('button', { type: 'submit', class: 'primary' }, 'Открыть кампанию'));
  onSubmit(form, box, () => api('POST', '/api/v1/monitoring/campaigns',
    { ...values(form, ['title', 'period', 'deadline']), questions: questionsOf(form) }), async (r) => {
    form.reset();
    clear(qs, question(0));
    say(box, true, `Кампания открыта: ${r.data.title}`);
    await campaigns();
  });
  return form;
}

let section = '';

const roadmapLoads = latest();
async function roadmap() {
  const r = await roadmapLoads(api('GET', `/api/v1/monitoring/roadmap/activities?limit=500${section ? `&section=${encodeURIComponent(section)}` : ''}`));
  if (!r) return;
  clear($('#roadmap-list'), r.ok ? table(`Мероприятия: ${r.data.total}`, [
    { key: 'section', title: 'Раздел' }, { key: 'title', title: 'Мероприятие' }, { key: 'responsible_org', title: 'Ответственный' },
    { title: 'Срок', get: (a) => fmtDate(a.deadline) },
    { title: 'Состояние', get: (a) => (network ? statusControl(a) : `${(activityStates.find((s) => s[0] === a.status) || [])[1] || a.status}${a.overdue ? ', просрочено' : ''}`) },
  ], r.data.items) : h('p', { class: 'result bad' }, problemText(r).title));
}

// The network changes an activity's status: the whole activity goes back
// with the version it was read at.
function statusControl(a) {
  const sel = h('select', { 'aria-label': `Состояние: ${a.title}`, id: `st-${a.id}` },
    activityStates.map(([v, t]) => h('option', { value: v, selected: a.status === v }, t)));
  const btn = h('button', { type: 'button' }, named('Сохранить', a.title));
  btn.addEventListener('click', async () => {
    const { id, overdue, version, created_at, updated_at, ...body } = a;
    body.status = sel.value;
    if (body.status !== 'done' || !body.done_on) delete body.done_on;
    const r = await api('PUT', `/api/v1/monitoring/roadmap/activities/${id}`, body, { headers: { 'If-Match': `"${version}"` } });
    if (r.ok) say($('#roadmap-result'), true, `Состояние «${a.title}»: ${(activityStates.find((s) => s[0] === sel.value) || [])[1]}`);
    else say($('#roadmap-result'), false, problemText(r).title, r.data?.detail);
    await roadmap();
  });
  return h('span', { class: 'row' }, sel, btn, a.overdue ? h('span', { class: 'badge bad' }, 'просрочено') : null);
}

function activityForm() {
  const box = h('div', { id: 'activity-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'activity-form', novalidate: true },
    h('h3', {}, 'Новое мероприятие'),
    h('div', { class: 'cols' },
      field('section', 'Раздел', 'text', { required: true, id: 'r-section' }),
      field('title', 'Мероприятие', 'text', { required: true, id: 'r-title' }),
      field('deadline', 'Срок', 'date', { required: true, id: 'r-deadline' }),
      field('responsible_org', 'Ответственный (код организации)', 'text', { required: true, id: 'r-responsible_org' }),
      field('expected_result', 'Ожидаемый результат', 'text', { id: 'r-expected_result' })),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Добавить мероприятие'));
  onSubmit(form, box, () => api('POST', '/api/v1/monitoring/roadmap/activities',
    values(form, ['section', 'title', 'deadline', 'responsible_org', 'expected_result'])), async (r) => {
    form.reset();
    say(box, true, `Мероприятие добавлено: ${r.data.title}`);
    await roadmap();
  });
  return form;
}

await page(async (me) => {
  network = me.role !== 'librarian';
  clear($('#content'),
    h('section', { 'aria-labelledby': 'h-campaigns' }, h('h2', { id: 'h-campaigns' }, 'Анкетирование школ'),
      h('div', { id: 'close-result', 'aria-live': 'polite' }), h('div', { id: 'campaign-list' }), network ? campaignForm() : null),
    h('section', { 'aria-labelledby': 'h-roadmap' }, h('h2', { id: 'h-roadmap' }, 'Дорожная карта'),
      searchForm('section-q', 'Раздел дорожной карты (пусто — все)', (q) => { section = q; return roadmap(); }),
      h('div', { id: 'roadmap-result', 'aria-live': 'polite' }), h('div', { id: 'roadmap-list' }), network ? activityForm() : null),
    h('p', {}, h('a', { href: '/passport.html' }, 'Паспорт библиотеки школы')));
  await Promise.all([campaigns(), roadmap()]);
}, ['admin', 'methodologist', 'librarian']);
