// A record of the union catalog: its description, availability per school
// and the items (copies) with their status.
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

await page(async () => {
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
    h('h2', {}, 'Экземпляры'),
    table('Экземпляры записи', [
      { key: 'barcode', title: 'Штрихкод' }, { key: 'school', title: 'Школа' },
      { key: 'inventory_number', title: 'Инв. номер' }, { key: 'location', title: 'Место' },
      { title: 'Состояние', get: (i) => (i.on_loan ? 'выдан' : statusNames[i.status] || i.status) }],
    items.ok ? items.data.items : []),
    h('p', { class: 'meta' }, `Запись создана ${fmtDate(rec.created_at)}, версия ${rec.version}.`));
});
