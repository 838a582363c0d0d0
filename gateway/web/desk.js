// The circulation desk. A scanner is a keyboard: the reader's card, Enter;
// then each item's barcode, Enter. Each action shows one unmistakable result
// (green "Выдано"/"Принято", red "Отказ" with the reason) and keeps the focus
// in the barcode field for the next scan. One action at a time: a second
// Enter or click while one is under way does nothing, and each action has
// its own Idempotency-Key, so a double click never lends twice.
import { h, $, clear, api, page, problemText, fmtDate } from '/app.js';

let reader = null;
let busy = false;
const titles = new Map();

// Russian texts for the circulation service's refusals, by the problem's
// `reason` code and its members (docs/openapi.yaml, Refusal reasons).
const statuses = { written_off: 'списан', lost: 'числится утерянным', in_repair: 'в ремонте' };
const reasons = {
  item_on_loan: (p) => p.due_date ? `Экземпляр уже выдан, срок возврата ${fmtDate(p.due_date)}.` : 'Экземпляр уже выдан.',
  reader_at_limit: (p) => p.limit !== undefined ? `У читателя уже ${p.on_loan} книг — это предел (${p.limit}).` : 'У читателя предельное число книг.',
  reader_not_active: (p) => `Читатель ${p.reader_status === 'blocked' ? 'заблокирован' : 'не активен'} — выдача невозможна.`,
  item_unavailable: (p) => `Экземпляр ${statuses[p.item_status] || 'недоступен'}.`,
  item_of_another_school: (p) => `Экземпляр принадлежит другой школе (${p.owner}): оформите межшкольный заказ.`,
  item_reserved_for_transfer: () => 'Экземпляр зарезервирован для межшкольного заказа.',
  item_lent_to_another_school: () => 'Экземпляр выдан другой школе по межшкольному заказу.',
  reader_of_another_school: () => 'Читатель записан в другой школе.',
  item_held_for_another_reader: () => 'Экземпляр отложен для другого читателя — выдайте другой.',
  item_not_found: () => 'Экземпляра с таким штрихкодом нет.',
  not_on_loan: () => 'Этот экземпляр не был выдан.',
  age_restricted: () => 'Возрастное ограничение не позволяет выдать (436-ФЗ).',
  renewal_limit: (p) => `Продлений уже ${p.renewals}, правила разрешают ${p.limit}.`,
  record_awaited: () => 'Книгу ждут другие читатели — продлить нельзя.',
  due_at_maximum: () => 'Срок уже максимальный по правилам.',
  class_set_loan: () => 'Учебник из комплекта класса не продлевается.',
  loan_returned: () => 'Книга уже возвращена.',
};
function reason(res) {
  const p = res.data || {};
  const f = reasons[p.reason];
  return f ? f(p) : problemText(res).title + '.';
}

async function titleOf(recordId) {
  if (!recordId) return '';
  if (!titles.has(recordId)) {
    const r = await api('GET', `/api/v1/catalog/records/${encodeURIComponent(recordId)}`);
    titles.set(recordId, r.ok ? r.data.title + (r.data.authors?.length ? ` / ${r.data.authors[0]}` : '') : '');
  }
  return titles.get(recordId);
}

function show(ok, text, detail) {
  const box = $('#result');
  box.className = 'result ' + (ok ? 'ok' : 'bad');
  box.setAttribute('role', ok ? 'status' : 'alert');
  clear(box, (ok ? '✔ ' : '✖ ') + text, detail ? h('span', { class: 'detail' }, detail) : null);
}

function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Runs one action unless another is under way; re-enables and refocuses.
async function once(fn) {
  if (busy) return;
  busy = true;
  for (const b of document.querySelectorAll('#content button')) b.disabled = true;
  try {
    await fn();
  } finally {
    busy = false;
    for (const b of document.querySelectorAll('#content button')) b.disabled = false;
  }
}

async function findReader(card) {
  const r = await api('GET', `/api/v1/circulation/readers?card_barcode=${encodeURIComponent(card)}`);
  if (!r.ok) return show(false, 'Читатель не найден', problemText(r).detail);
  const found = r.data.readers || [];
  if (!found.length) {
    reader = null;
    renderReader();
    return show(false, 'Читатель не найден', `Билета ${card} нет в вашей школе.`);
  }
  reader = found[0];
  await renderReader();
  show(true, `Читатель: ${reader.name || reader.card_barcode}`, reader.class ? `класс ${reader.class}` : '');
  $('#item').focus();
}

async function checkout(barcode) {
  if (!reader) {
    show(false, 'Отказ: сначала отсканируйте билет читателя');
    return $('#card').focus();
  }
  const r = await api('POST', '/api/v1/circulation/checkouts',
    { item_barcode: barcode, reader_id: reader.id }, { headers: { 'Idempotency-Key': newKey() } });
  if (r.ok) {
    show(true, `Выдано: ${barcode} — ${await titleOf(r.data.record_id)}`, `вернуть до ${fmtDate(r.data.due_date)}`);
  } else {
    show(false, `Отказ: ${reason(r)}`, r.data?.detail);
  }
  await renderReader();
}

async function checkin(barcode) {
  const r = await api('POST', '/api/v1/circulation/checkins', { item_barcode: barcode },
    { headers: { 'Idempotency-Key': newKey() } });
  if (r.ok) {
    const loan = r.data.loan || r.data;
    let extra = r.data.hold ? 'Книгу ждёт читатель: отложите на полку заказов.' : '';
    if (r.data.return_to) extra += ` Вернуть в ${r.data.return_to}.`;
    show(true, `Принято: ${barcode} — ${await titleOf(loan.record_id)}`, extra);
  } else {
    show(false, `Отказ: ${reason(r)}`, r.data?.detail);
  }
  if (reader) await renderReader();
}

async function renew(loan) {
  const r = await api('POST', `/api/v1/circulation/loans/${encodeURIComponent(loan.id)}/renew`, null,
    { headers: { 'Idempotency-Key': newKey() } });
  if (r.ok) show(true, `Продлено: ${loan.barcode} до ${fmtDate(r.data.due_date)}`);
  else show(false, `Продлить нельзя: ${reason(r)}`, r.data?.detail);
  await renderReader();
}

async function renderReader() {
  const box = $('#reader');
  if (!reader) return clear(box);
  const r = await api('GET', `/api/v1/circulation/loans?reader_id=${encodeURIComponent(reader.id)}&state=open`);
  const loans = r.ok ? (r.data.loans || []).filter((l) => !l.returned_at) : [];
  const rows = await Promise.all(loans.map(async (l) => ({ ...l, title: await titleOf(l.record_id) })));
  clear(box,
    h('h2', {}, `${reader.name || 'Читатель'} · билет ${reader.card_barcode || ''}${reader.class ? ' · ' + reader.class : ''}`),
    h('p', {}, `На руках: ${rows.length}`),
    rows.length ? h('table', {},
      h('caption', {}, 'Книги на руках'),
      h('thead', {}, h('tr', {}, ['Штрихкод', 'Название', 'Вернуть до', 'Продлений', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((l) => h('tr', {},
        h('td', {}, l.barcode || ''),
        h('td', {}, l.title),
        h('td', {}, fmtDate(l.due_date), ' ', l.overdue ? h('span', { class: 'badge bad' }, 'просрочено') : null),
        h('td', { class: 'num' }, String(l.renewals)),
        h('td', {}, h('button', { type: 'button', 'aria-label': `Продлить ${l.barcode}`, onclick: () => once(() => renew(l)) }, 'Продлить'))))))
      : null);
}

function mode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

await page(async () => {
  const card = h('input', { id: 'card', name: 'card', autocomplete: 'off', inputmode: 'text' });
  const item = h('input', { id: 'item', name: 'item', autocomplete: 'off' });
  const cardForm = h('form', { class: 'card scan', 'aria-label': 'Читатель' },
    h('div', { class: 'field' }, h('label', { for: 'card' }, 'Билет читателя (сканируйте или введите, затем Enter)'), card),
    h('button', { type: 'submit' }, 'Найти читателя'));
  const itemForm = h('form', { class: 'card scan', 'aria-label': 'Экземпляр' },
    h('fieldset', {}, h('legend', {}, 'Действие'),
      h('label', { class: 'inline' }, h('input', { type: 'radio', name: 'mode', value: 'checkout', checked: true }), ' Выдача'),
      h('label', { class: 'inline' }, h('input', { type: 'radio', name: 'mode', value: 'checkin' }), ' Возврат')),
    h('div', { class: 'field' }, h('label', { for: 'item' }, 'Штрихкод экземпляра (затем Enter)'), item),
    h('button', { type: 'submit', class: 'primary', id: 'go' }, 'Выдать'));
  cardForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = card.value.trim();
    if (v) once(() => findReader(v)).then(() => { card.value = ''; });
  });
  itemForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = item.value.trim();
    if (!v) return;
    once(() => (mode() === 'checkout' ? checkout(v) : checkin(v))).then(() => {
      item.value = '';
      item.focus();
    });
  });
  itemForm.addEventListener('change', () => {
    $('#go').textContent = mode() === 'checkout' ? 'Выдать' : 'Принять';
    item.focus();
  });
  clear($('#content'),
    h('div', { class: 'cols' }, cardForm, itemForm),
    h('div', { id: 'result', class: 'result', role: 'status', hidden: true }),
    h('section', { id: 'reader', 'aria-live': 'polite' }));
  const res = $('#result');
  new MutationObserver(() => { res.hidden = !res.textContent; }).observe(res, { childList: true });
  card.focus();
}, ['admin', 'librarian']);
