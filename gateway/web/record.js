// A record of the union catalog: its description, availability per school
// and the items (copies) with their status; a librarian places a hold on it
// for a reader by the reader's card.
import { h, $, clear, api, page, problemText, typeNames, fmtDate, table } from '/app.js';

const statusNames = { available: 'на полке', lost: 'утерян', written_off: 'списан', in_repair: 'в ремонте' };

function dl(rec) {
  const rows = [
    ['Вид', typeNames[rec.type] || rec.type], ['Авторы', rec.authors?.join('; ')],
    ['Подзаголовок', rec.subtitle], ['Издательство', [rec.place, rec.publisher].filter(Boolean).join(': ')],
    ['Год', rec.year], ['ISBN', rec.isbn], ['Серия', rec.series], ['ББК', rec.bbk], ['УДК', rec.udk],
    ['Возрастная маркировка', rec.age_rating], ['Темы', rec.subjects?.join('; ')],
    ['Учебник', rec.textbook ? [rec.textbook.subject, rec.textbook.grade && `${rec.textbook.grade} класс`].filter(Boolean).join(', ') : ''],
    ['Аннотация', rec.annotation],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  return h('dl', { class: 'card' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

// The answer to a hold: where the reader stands, or why it was refused.
function holdAnswer(r, reader) {
  const who = reader.name || reader.card_barcode;
  if (!r.ok) {
    const p = problemText(r);
    return h('p', { class: 'result bad', role: 'alert' }, `Отказ: ${p.title}`, h('span', { class: 'detail' }, p.detail));
  }
  const x = r.data;
  const where = x.state === 'ready'
    ? `экземпляр ${x.barcode} ждёт на полке до ${fmtDate(x.ready_until)}`
    : `место в очереди: ${x.position}`;
  return h('p', { class: 'result ok', role: 'status' }, `Заказ оформлен: ${who}`, h('span', { class: 'detail' }, where));
}

// The form: the reader's card (a scanner types it, then Enter), then the hold.
function holdForm(rec) {
  const card = h('input', { id: 'hold-card', name: 'card', autocomplete: 'off', required: true, maxlength: 64 });
  const go = h('button', { type: 'submit', class: 'primary', id: 'hold-go' }, 'Заказать');
  const out = h('div', { id: 'hold-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'hold-h' },
    h('h2', { id: 'hold-h' }, 'Заказ для читателя'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'hold-card' }, 'Билет читателя'), card), go),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = card.value.trim();
    if (!code) return clear(out, h('p', { class: 'result bad', role: 'alert' }, 'Введите номер билета.'));
    go.disabled = true;
    const rd = await api('GET', `/api/v1/circulation/readers?card_barcode=${encodeURIComponent(code)}`);
    const reader = rd.ok ? (rd.data.readers || [])[0] : null;
    if (!reader) {
      clear(out, rd.ok ? h('p', { class: 'result bad', role: 'alert' }, `Отказ: читателя с билетом ${code} нет в вашей школе.`)
        : holdAnswer(rd, {}));
    } else {
      clear(out, holdAnswer(await api('POST', '/api/v1/circulation/holds', { record_id: rec.id, reader_id: reader.id }), reader));
    }
    go.disabled = false;
    card.select();
  });
  return form;
}

await page(async (me) => {
  const id = new URLSearchParams(location.search).get('id') || '';
  const [r, av, items] = await Promise.all([
    api('GET', `/api/v1/catalog/records/${encodeURIComponent(id)}`),
    api('GET', `/api/v1/catalog/records/${encodeURIComponent(id)}/availability`),
    api('GET', `/api/v1/catalog/items?record_id=${encodeURIComponent(id)}&limit=100`),
  ]);
  if (!r.ok) {
    const p = problemText(r);
    return clear($('#content'), h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
  }
  const rec = r.data;
  $('h1').textContent = rec.title;
  document.title = `${rec.title} · ИБЦ`;
  const a = av.ok ? av.data : { held: 0, available: 0, schools: [] };
  clear($('#content'),
    h('p', {}, h('a', { href: `/edit.html?id=${encodeURIComponent(rec.id)}` }, 'Изменить описание'), ' · ',
      h('a', { href: '/catalog.html' }, 'К поиску')),
    dl(rec),
    h('h2', {}, `Наличие: ${a.available} из ${a.held}`),
    table('Наличие по школам', [
      { key: 'school', title: 'Школа' }, { key: 'held', title: 'Экземпляров', num: true },
      { key: 'available', title: 'Доступно', num: true }], a.schools || []),
    ['admin', 'librarian'].includes(me.role) ? holdForm(rec) : null,
    h('h2', {}, 'Экземпляры'),
    table('Экземпляры записи', [
      { key: 'barcode', title: 'Штрихкод' }, { key: 'school', title: 'Школа' },
      { key: 'inventory_number', title: 'Инв. номер' }, { key: 'location', title: 'Место' },
      { title: 'Состояние', get: (i) => (i.on_loan ? 'выдан' : statusNames[i.status] || i.status) }],
    items.ok ? items.data.items : []),
    h('p', { class: 'meta' }, `Запись создана ${fmtDate(rec.created_at)}, версия ${rec.version}.`));
});
