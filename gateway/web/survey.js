// A school answers a survey campaign: the form is built from the campaign's
// questions (a number within its bounds, yes/no, one of the choices, text),
// an earlier answer is filled in and corrected with its version, and after
// sending the campaign's completion shows the school counted.
import { h, $, clear, api, page, fmtDate, problemText } from '/app.js';
import { field, say, onSubmit, schoolOptions } from '/forms.js';

// The control of question q, named answers.<code>.
function control(q, value) {
  const name = `answers.${q.code}`;
  const id = `a-${q.code}`;
  const opts = { id, required: q.required !== false, value };
  if (q.kind === 'number') {
    return field(name, q.text, 'number', { ...opts, attrs: { min: q.min, max: q.max, step: 'any' },
      hint: q.min !== undefined || q.max !== undefined ? `от ${q.min ?? '…'} до ${q.max ?? '…'}` : null });
  }
  if (q.kind === 'yes_no') {
    const radio = (v, t) => h('label', { class: 'inline' },
      h('input', { type: 'radio', name, value: v, id: `${id}-${v}`, checked: value === (v === 'true') }), t);
    return h('fieldset', { class: 'field' }, h('legend', {}, q.text, q.required !== false ? ' (обязательно)' : ''),
      radio('true', 'да'), radio('false', 'нет'));
  }
  if (q.kind === 'choice') return field(name, q.text, 'select', { ...opts, options: [['', '— выберите —'], ...q.choices.map((c) => [c, c])] });
  return field(name, q.text, 'area', opts);
}

function answersOf(form, questions) {
  const out = {};
  for (const q of questions) {
    const el = form.elements[`answers.${q.code}`];
    const v = el.value.trim();
    if (!v) continue;
    out[q.code] = q.kind === 'number' ? Number(v) : q.kind === 'yes_no' ? v === 'true' : v;
  }
  return out;
}

async function completion(c, school) {
  const r = await api('GET', `/api/v1/monitoring/campaigns/${c.id}/completion`);
  if (!r.ok) return clear($('#completion'), h('p', { class: 'result bad' }, problemText(r).title));
  const mine = r.data.by_school.find((s) => s.school === school);
  clear($('#completion'), h('h2', {}, 'Кто ответил'),
    h('p', { id: 'completion-count' }, `Ответили ${r.data.answered} из ${r.data.schools} школ`,
      r.data.share === null ? '' : ` (${Math.round(r.data.share * 100)} %)`, '.'),
    h('p', {}, mine?.answered ? `Ответ школы ${school} учтён ${new Date(mine.updated_at || mine.submitted_at).toLocaleString('ru-RU')}.` : `Школа ${school} ещё не ответила.`));
}

async function answerForm(c, school) {
  const old = await api('GET', `/api/v1/monitoring/campaigns/${c.id}/answers/${encodeURIComponent(school)}`);
  const given = old.ok ? old.data.answers : {};
  let version = old.ok ? old.data.version : null;
  const box = h('div', { id: 'survey-result', 'aria-live': 'polite' });
  if (c.status !== 'open') { // closed: the answer as given, nothing to send
    await completion(c, school);
    return clear($('#answer'), h('form', { class: 'card', id: 'survey-form', 'aria-describedby': 'closed-note' },
      h('h2', {}, `Ответ школы ${school}`),
      h('p', { class: 'note', id: 'closed-note' }, old.ok ? 'Кампания закрыта: ответ школы ниже, изменить его нельзя.' : 'Кампания закрыта: школа не ответила, ответ больше не принимается.'),
      h('fieldset', { disabled: true, class: 'plain' }, h('legend', { class: 'sr-only' }, 'Ответ (только для чтения)'), c.questions.map((q) => control(q, given[q.code])))));
  }
  const form = h('form', { class: 'card', id: 'survey-form', novalidate: true },
    h('h2', {}, `Ответ школы ${school}`),
    c.questions.map((q) => control(q, given[q.code])),
    box,
    h('button', { type: 'submit', class: 'primary' }, version ? 'Исправить ответ' : 'Отправить ответ'));
  onSubmit(form, box, async () => {
    const r = await api('PUT', `/api/v1/monitoring/campaigns/${c.id}/answers/${encodeURIComponent(school)}`,
      { answers: answersOf(form, c.questions) }, version ? { headers: { 'If-Match': `"${version}"` } } : {});
    if (r.status !== 409 || !/is closed/.test(r.data?.detail || '')) return r;
    say(box, false, 'Кампания закрыта: ответ не принят', 'Её закрыли, пока форма была открыта. Обновите страницу, чтобы увидеть ответ школы.');
    form.querySelector('button[type="submit"]').remove();
    return { ok: true, refused: true };
  }, async (r) => {
    if (r.refused) return;
    version = r.data.version;
    form.querySelector('button[type="submit"]').textContent = 'Исправить ответ';
    say(box, true, r.status === 201 ? 'Ответ принят' : 'Ответ исправлен');
    await completion(c, school);
  });
  await completion(c, school); // before the form: the form on screen means the page is whole
  clear($('#answer'), form);
}

await page(async (me) => {
  const params = new URLSearchParams(location.search);
  const r = await api('GET', `/api/v1/monitoring/campaigns/${encodeURIComponent(params.get('id') || '')}`);
  if (!r.ok) return clear($('#content'), h('p', { class: 'result bad', role: 'alert' }, problemText(r).title, h('span', { class: 'detail' }, 'Откройте анкету из списка кампаний.')));
  const c = r.data;
  $('h1').textContent = `Анкета: ${c.title}`;
  clear($('#content'),
    h('p', {}, h('a', { href: '/monitoring.html' }, '← Все кампании')),
    h('p', {}, [c.period ? `Период ${c.period}. ` : '', c.deadline ? `Ответить до ${fmtDate(c.deadline)}. ` : '',
      c.status === 'open' ? 'Кампания открыта.' : 'Кампания закрыта: ответы не принимаются.'].join('')),
    h('div', { id: 'pick' }), h('div', { id: 'answer' }), h('section', { id: 'completion', 'aria-live': 'polite' }));
  if (me.role === 'librarian') return answerForm(c, me.org);
  // the network answers for a school it picks
  const pick = h('form', { class: 'row', id: 'pick-form', novalidate: true },
    field('school', 'Школа', 'select', { options: await schoolOptions(api), id: 'pick-school', value: params.get('school') }),
    h('button', { type: 'submit' }, 'Открыть анкету школы'));
  onSubmit(pick, null, async () => ({ ok: true }), () => answerForm(c, pick.elements.school.value));
  clear($('#pick'), pick);
  if (params.get('school')) await answerForm(c, params.get('school'));
  else await completion(c, '');
}, ['admin', 'methodologist', 'librarian']);
