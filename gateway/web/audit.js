// The 152-ФЗ audit log of readers' personal data: who read or changed which
// readers' data, when, and which fields (never the values). Filters by
// period, action and reader, 50 rows a page, and the same page as CSV. The
// filters live in the address, so a page of the log can be bookmarked.
import { h, $, clear, api, page, table, problemText, roleName } from '/app.js';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const actions = {
  read: 'просмотр карточки', list: 'просмотр списка', export: 'выгрузка данных', create: 'создание',
  update: 'изменение', delete: 'удаление', consent: 'согласие', anonymise: 'обезличивание',
};
const fieldNames = {
  name: 'ФИО', card_barcode: 'билет', birth_date: 'дата рождения', class: 'класс', consents: 'согласия',
  loans: 'выдачи', category: 'категория', status: 'состояние',
};

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

// The filter form, filled from the address; submitting it changes the address.
function filters(params, admin) {
  const from = h('input', { id: 'from', name: 'from', type: 'date', value: params.get('from') || '' });
  const to = h('input', { id: 'to', name: 'to', type: 'date', value: params.get('to') || '' });
  const action = h('select', { id: 'action', name: 'action' }, h('option', { value: '' }, 'любое'),
    Object.entries(actions).map(([v, t]) => h('option', { value: v, selected: params.get('action') === v }, t)));
  const reader = h('input', { id: 'reader', name: 'reader', value: params.get('reader') || params.get('card') || '', maxlength: 64, autocomplete: 'off' });
  const school = admin ? h('input', { id: 'school', name: 'school', value: params.get('school') || '', maxlength: 64 }) : null;
  const form = h('form', { class: 'card', 'aria-label': 'Фильтры журнала' },
    h('div', { class: 'row' },
      field('from', 'С даты', from), field('to', 'По дату', to), field('action', 'Действие', action),
      field('reader', 'Читатель (ID или номер билета)', reader),
      school ? field('school', 'Школа (код)', school) : null,
      h('button', { type: 'submit', class: 'primary' }, 'Показать')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const el of [from, to, action, reader, school]) if (el && el.value.trim()) p.set(el.name, el.value.trim());
    location.search = p.toString();
  });
  return form;
}

// The reader filter as the API takes it: an id as is, a card looked up.
async function readerId(value) {
  if (!value || UUID.test(value)) return { id: value };
  const r = await api('GET', `/api/v1/circulation/readers?card_barcode=${encodeURIComponent(value)}`);
  const found = r.ok ? (r.data.readers || [])[0] : null;
  return found ? { id: found.id } : { error: `Читателя с билетом ${value} нет в вашей школе.` };
}

function rowsTable(items) {
  const readers = (x) => {
    const ids = x.reader_ids || [];
    const shown = ids.slice(0, 3).map((id) => h('code', { class: 'id' }, id));
    return h('span', {}, shown.flatMap((c, i) => (i ? [', ', c] : [c])), ids.length > 3 ? ` и ещё ${ids.length - 3}` : '');
  };
  return table(null, [
    { title: 'Время', get: (x) => new Date(x.at).toLocaleString('ru-RU') },
    { title: 'Действие', get: (x) => actions[x.action] || x.action },
    { title: 'Кто', get: (x) => `${x.principal} · ${roleName(x.role)} · ${x.org}` },
    { key: 'school', title: 'Школа' },
    { title: 'Читатели', get: readers },
    { title: 'Поля', get: (x) => (x.fields || []).map((f) => fieldNames[f] || f).join(', ') }], items);
}

function pager(q, total, offset) {
  const link = (off, text, rel) => {
    const p = new URLSearchParams(q);
    p.set('offset', String(off));
    p.delete('limit');
    return h('a', { href: `?${p}`, rel }, text);
  };
  return h('nav', { class: 'row', 'aria-label': 'Страницы журнала' },
    offset > 0 ? link(Math.max(0, offset - PAGE), '← Новее', 'prev') : null,
    offset + PAGE < total ? link(offset + PAGE, 'Старее →', 'next') : null);
}

await page(async (me) => {
  const params = new URLSearchParams(location.search);
  const out = h('div', { id: 'log', 'aria-live': 'polite' });
  clear($('#content'), filters(params, me.role === 'admin'), out);
  const who = await readerId(params.get('reader') || '');
  if (who.error) return clear(out, h('p', { class: 'result bad', role: 'alert' }, who.error));
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  for (const k of ['from', 'to', 'action', 'school']) if (params.get(k)) q.set(k, params.get(k));
  if (who.id) q.set('reader', who.id);
  const r = await api('GET', `/api/v1/circulation/audit?${q}`);
  if (!r.ok) {
    const p = problemText(r);
    return clear(out, h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
  }
  const { items = [], total = 0 } = r.data;
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  clear(out,
    h('p', {}, total ? `Записи ${offset + 1}–${offset + items.length} из ${total}, новые сверху.` : 'Записей нет.',
      ' ', h('a', { href: `/api/v1/circulation/audit?${csv}`, download: 'audit.csv', id: 'csv' }, 'Скачать эту страницу в CSV')),
    items.length ? rowsTable(items) : null,
    pager(q, total, offset));
}, ['admin', 'librarian']);
