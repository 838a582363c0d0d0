// What the workstation's forms share: a labelled control, the values of a
// form as a JSON body, and an API refusal put next to the field its detail
// names ('ends_on' ..., 'answers.visits' ...), in Russian where the sentence
// is a known one, else in a box under the form.
import { h, clear, fieldError, problemText } from '/app.js';

// The service's sentence (English) in Russian, when it is one of the usual ones.
export function russian(detail) {
  const rules = [
    [/must not be (empty|blank)/, () => 'Заполните это поле.'],
    [/is required/, () => 'Заполните это поле.'],
    [/is not a valid ISBN/, () => 'Неверный ISBN: проверьте цифры (контрольная цифра или длина).'],
    [/must be from (\S+) to (\S+?),? /, (m) => `Допустимо от ${m[1]} до ${m[2]}.`],
    [/must be from (\S+) to (\S+)$/, (m) => `Допустимо от ${m[1]} до ${m[2]}.`],
    [/must be one of ([^,]+(, [^,]+)*), not/, (m) => `Допустимые значения: ${m[1]}.`],
    [/at most (\d+) (characters|are allowed)/, (m) => `Не длиннее ${m[1]} символов.`],
    [/must be a real date/, () => 'Введите дату.'],
    [/\(([\d-]+)\) is before '([a-z_]+)' \(([\d-]+)\)/, (m) => `Не раньше ${m[3].split('-').reverse().join('.')}.`],
    [/is outside the programme's range ([\d.]+) to ([\d.]+)/, (m) => `Сумма программы: от ${m[1]} до ${m[2]} ₽.`],
    [/must be a number/, () => 'Введите число.'],
    [/is in the future/, () => 'Дата не может быть в будущем.'],
    [/needs a 'comment'/, () => 'Напишите причину.'],
    [/must be 1 to 40 of A-Z/, () => 'Только латинские буквы, цифры, _ и -, до 40 знаков.'],
    [/is more than 'amount_max'/, () => 'Не больше максимальной суммы.'],
    [/more than two decimals/, () => 'Не больше двух знаков после запятой (копейки).'],
    [/must start with http/, () => 'Адрес должен начинаться с http:// или https://.'],
    [/is outside the course's dates (\S+) to (\S+)/, (m) => `Курс идёт с ${m[1].split('-').reverse().join('.')} по ${m[2].split('-').reverse().join('.')}.`],
  ];
  for (const [re, f] of rules) {
    const m = detail.match(re);
    if (m) return f(m);
  }
  return detail;
}

// A labelled control in a div.field. kind: text, number, date, area,
// select (opts.options [[value, text]]), check. opts: value, required,
// hint, attrs (more attributes of the control), id.
export function field(name, label, kind = 'text', opts = {}) {
  const id = opts.id || `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  let el;
  if (kind === 'area') el = h('textarea', { id, name, rows: 3, ...opts.attrs });
  else if (kind === 'select') {
    el = h('select', { id, name, ...opts.attrs }, (opts.options || []).map(([v, t]) => h('option', { value: v }, t)));
  } else if (kind === 'check') el = h('input', { id, name, type: 'checkbox', ...opts.attrs });
  else el = h('input', { id, name, type: kind, inputmode: kind === 'number' ? 'decimal' : null, ...opts.attrs });
  if (opts.required) el.required = true;
  if (kind === 'check') el.checked = !!opts.value;
  else if (opts.value !== undefined && opts.value !== null) el.value = String(opts.value);
  const text = [label, opts.required ? ' (обязательно)' : '', opts.hint ? ` — ${opts.hint}` : ''].join('');
  if (kind === 'check') return h('div', { class: 'field' }, h('label', { class: 'inline', for: id }, el, text));
  return h('div', { class: 'field' }, h('label', { for: id }, text), el);
}

// The form's named controls as a body: empty ones left out (or null when
// nulls is true), numbers as numbers, checkboxes as true/false.
export function values(form, names, nulls = false) {
  const out = {};
  for (const n of names) {
    const el = form.elements[n];
    if (!el) continue;
    if (el.type === 'checkbox') { out[n] = el.checked; continue; }
    const v = el.value.trim();
    if (!v) { if (nulls) out[n] = null; continue; }
    out[n] = el.type === 'number' ? Number(v) : v;
  }
  return out;
}

// A result banner in box.
export function say(box, ok, text, detail) {
  clear(box, h('p', { class: `result ${ok ? 'ok' : 'bad'}`, role: ok ? 'status' : 'alert' },
    (ok ? '✔ ' : '✖ ') + text, detail ? h('span', { class: 'detail' }, detail) : null));
}

export function clearProblems(form, box) {
  for (const el of form.querySelectorAll('[aria-invalid]')) fieldError(el, '');
  if (box) clear(box);
}

// The control a detail names first: 'answers.visits', 'questions[1].code'
// (else 'questions'), or null.
function namedControl(form, detail) {
  for (const [, name] of detail.matchAll(/'([A-Za-z0-9_.[\]-]+)'/g)) {
    for (const n of [name, name.replace(/[[.].*$/, '')]) {
      const el = form.elements[n];
      if (el && (el instanceof HTMLElement) && el.type !== 'fieldset') return el;
      if (el && el.length && el[0] instanceof HTMLElement) return el[0]; // a radio group
    }
  }
  return null;
}

// Shows the API's refusal r: next to the field it names (and focuses it),
// else in box. Returns the control it marked, or null.
export function showProblem(form, r, box) {
  const detail = r.data?.detail || '';
  const el = namedControl(form, detail);
  if (el && (r.status === 400 || r.status === 409 || r.status === 422)) {
    const tr = russian(detail);
    fieldError(el, tr === detail ? detail : `${tr} (${detail})`);
    el.focus();
    return el;
  }
  const p = problemText(r);
  say(box, false, p.title, p.detail);
  return null;
}

// A form's submit: clears old messages, disables the button while call()
// runs; call returns the API's answer; ok(r) runs on success, else the
// refusal is shown.
export function onSubmit(form, box, call, ok) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearProblems(form, box);
    const btn = form.querySelector('button[type="submit"]');
    if (btn) btn.disabled = true;
    try {
      const r = await call();
      if (r.ok) await ok(r);
      else showProblem(form, r, box);
    } finally {
      if (btn) btn.disabled = false;
    }
  });
}

// A button's content: the visible verb, and for a screen reader (and the
// accessible name) what it acts on: 'Изменить' + ': Сидорова Анна'.
export function named(verb, what) {
  return [verb, h('span', { class: 'sr-only' }, `: ${what}`)];
}

// A search row: one labelled field and a button; find(text) on submit.
export function searchForm(id, label, find) {
  const form = h('form', { class: 'row', role: 'search', novalidate: true },
    field('q', label, 'search', { id }), h('button', { type: 'submit' }, 'Найти'));
  form.addEventListener('submit', (e) => { e.preventDefault(); find(form.elements.q.value.trim()); });
  return form;
}

// Org ids the person may pick: the directory of schools (network roles).
export async function schoolOptions(api) {
  const r = await api('GET', '/api/v1/monitoring/schools?limit=500');
  const items = r.ok ? r.data.items || [] : [];
  return items.map((s) => [s.id, `${s.name} (${s.id})`]);
}

// Under a paged list: which rows are shown and buttons to the pages before
// and after (the API's limit/offset); go(offset) loads a page, then the
// same button (or the other one) has the focus again.
export function pager(id, what, { total, offset, limit }, count, go) {
  const turn = (off, text, rel) => h('button', { type: 'button', 'data-rel': rel, onclick: async () => {
    await go(off);
    const nav = document.getElementById(id);
    (nav?.querySelector(`[data-rel="${rel}"]`) || nav?.querySelector('button'))?.focus();
  } }, text, h('span', { class: 'sr-only' }, `: ${what}`));
  if (!total || (offset === 0 && count >= total)) return h('nav', { id, hidden: true });
  return h('nav', { class: 'row pager', id, 'aria-label': `Страницы: ${what}` },
    h('span', { class: 'count' }, `Строки ${offset + 1}–${offset + count} из ${total}`),
    offset > 0 ? turn(Math.max(0, offset - limit), '← Предыдущие', 'prev') : null,
    offset + count < total ? turn(offset + limit, 'Следующие →', 'next') : null);
}

// An in-page confirmation (a modal dialog, Escape or "Отмена" cancels):
// resolves true when the person confirms.
export function confirmDialog(title, text, yes) {
  return new Promise((resolve) => {
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const no = h('button', { type: 'button', onclick: () => done(false) }, 'Отмена');
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-title' }, title), h('p', { id: 'confirm-text' }, text),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'confirm-yes', onclick: () => done(true) }, yes), no));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

// One list's loads: the answer to an earlier request that arrives after a
// later one's (a slow first load after a search) is dropped: null.
export function latest() {
  let n = 0;
  return async (request) => {
    const mine = ++n;
    const r = await request;
    return mine === n ? r : null;
  };
}
