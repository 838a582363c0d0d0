// The overdue list of a school by class, as the class teacher needs it: each
// reader with their overdue copies and how many days late, a class filter,
// and the same list as CSV (a spreadsheet opens it; UTF-8 with BOM, `;`).
import { h, $, clear, api, page, fmtDate, table, problemText } from '/app.js';

const PAGE = 50;

function rows(data) {
  return (data.classes || []).flatMap((c) => c.readers.flatMap((r) => r.loans.map((l) => ({
    class: c.class, name: r.name || r.reader_id, barcode: l.barcode, due: l.due_date, days: l.days_overdue,
  }))));
}

await page(async (me) => {
  const params = new URLSearchParams(location.search);
  const school = me.role === 'librarian' ? me.org : params.get('school') || '';
  const cls = h('input', { id: 'class', name: 'class', value: params.get('class') || '', maxlength: 32 });
  const sch = me.role === 'librarian' ? null
    : h('input', { id: 'school', name: 'school', value: school, required: true });
  const form = h('form', { class: 'card' },
    h('div', { class: 'row' },
      sch ? h('div', { class: 'field' }, h('label', { for: 'school' }, 'Школа (код)'), sch) : null,
      h('div', { class: 'field' }, h('label', { for: 'class' }, 'Класс (пусто — все)'), cls),
      h('button', { type: 'submit', class: 'primary' }, 'Показать')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (sch) p.set('school', sch.value.trim());
    if (cls.value.trim()) p.set('class', cls.value.trim());
    location.search = p.toString();
  });
  const out = h('div', { id: 'list', 'aria-live': 'polite' });
  clear($('#content'), form, out);
  if (!school) return clear(out, h('p', {}, 'Укажите школу.'));
  const q = new URLSearchParams({ school, limit: String(PAGE), offset: params.get('offset') || '0' });
  if (cls.value.trim()) q.set('class', cls.value.trim());
  const r = await api('GET', `/api/v1/circulation/overdue?${q}`);
  if (!r.ok) return clear(out, h('p', { class: 'result bad', role: 'alert' }, problemText(r).title, ' ', r.data?.detail || ''));
  const list = rows(r.data);
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  clear(out,
    h('p', {}, `На ${fmtDate(r.data.as_of)}: читателей с долгами — ${r.data.total}.`,
      ' ', h('a', { href: `/api/v1/circulation/overdue?${csv}`, download: `overdue-${school}.csv`, id: 'csv' }, 'Скачать CSV')),
    list.length ? table(null, [{ key: 'class', title: 'Класс' }, { key: 'name', title: 'Читатель' },
      { key: 'barcode', title: 'Штрихкод' }, { title: 'Срок возврата', get: (x) => fmtDate(x.due) },
      { key: 'days', title: 'Дней просрочки', num: true }], list)
      : h('p', { class: 'result ok' }, 'Долгов нет.'));
}, ['admin', 'methodologist', 'librarian']);
