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

// Russian reasons for the circulation service's refusals.
const reasons = [
  [/is already on loan, due (\S+)/, (m) => `Экземпляр уже выдан, срок возврата ${fmtDate(m[1])}.`],
  [/has (\d+) items on loan; the limit .* is (\d+)/, (m) => `У читателя уже ${m[1]} книг — это предел (${m[2]}).`],
  [/is at the limit of items on loan/, () => 'У читателя предельное число книг.'],
  [/is (blocked|suspended|left|archived|\w+) and cannot borrow/, (m) => `Читатель ${m[1] === 'blocked' ? 'заблокирован' : 'не активен'} — выдача невозможна.`],
  [/is written off and cannot be lent/, () => 'Экземпляр списан.'],
  [/is lost and cannot be lent/, () => 'Экземпляр числится утерянным.'],
  [/is in repair and cannot be lent/, () => 'Экземпляр в ремонте.'],
  [/belongs to (\S+), not to/, (m) => `Экземпляр принадлежит другой школе (${m[1]}): оформите межшкольный заказ.`],
  [/waiting on the hold shelf for another reader/, () => 'Экземпляр отложен для другого читателя — выдайте другой.'],
  [/no item has barcode/, () => 'Экземпляра с таким штрихкодом нет.'],
  [/is not on loan/, () => 'Этот экземпляр не был выдан.'],
  [/age|436/, () => 'Возрастное ограничение не позволяет выдать (436-ФЗ).'],
  [/was renewed (\d+) times; the rules .* allow (\d+)/, (m) => `Продлений уже ${m[1]}, правила разрешают ${m[2]}.`],
  [/wait for this record/, () => 'Книгу ждут другие читатели — продлить нельзя.'],
  [/already due .* as late as the rules allow/, () => 'Срок уже максимальный по правилам.'],
  [/class-set textbook/, () => 'Учебник из комплекта класса не продлевается.'],
];
function reason(res) {
  const d = res.data?.detail || '';
  for (const [re, f] of reasons) {
    const m = d.match(re);
    if (m) return f(m);
  }
  return problemText(res).title + '.';
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
