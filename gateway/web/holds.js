// Holds of the school: who waits for which book, in queue order; the copies
// kept on the hold shelf (ready) with the date they are kept until; cancel.
import { h, $, clear, api, page, fmtDate, table, problemText } from '/app.js';

const stateText = { waiting: 'в очереди', ready: 'ждёт на полке' };

async function names(kind, ids, path, field) {
  const out = new Map();
  await Promise.all([...new Set(ids)].map(async (id) => {
    const r = await api('GET', `${path}/${encodeURIComponent(id)}`);
    out.set(id, r.ok ? r.data[field] || id : id);
  }));
  return out;
}

async function show(box, school) {
  const r = await api('GET', `/api/v1/circulation/holds?school=${encodeURIComponent(school)}&state=active&limit=100`);
  if (!r.ok) {
    const p = problemText(r);
    return clear(box, h('p', { class: 'result bad', role: 'alert' }, p.title, ' ', r.data?.detail || ''));
  }
  const holds = r.data.holds || [];
  const [titles, readers] = await Promise.all([
    names('record', holds.map((x) => x.record_id), '/api/v1/catalog/records', 'title'),
    names('reader', holds.map((x) => x.reader_id), '/api/v1/circulation/readers', 'name'),
  ]);
  const cancel = (hold) => {
    const b = h('button', { type: 'button' }, 'Отменить');
    b.addEventListener('click', async () => {
      b.disabled = true;
      const res = await api('POST', `/api/v1/circulation/holds/${hold.id}/cancel`, null);
      if (!res.ok) return box.prepend(h('p', { class: 'result bad', role: 'alert' }, problemText(res).title));
      await show(box, school);
      box.prepend(h('p', { class: 'result ok', role: 'status' }, 'Заказ отменён.'));
    });
    return b;
  };
  clear(box, holds.length ? table(null, [
    { title: 'Книга', get: (x) => titles.get(x.record_id) }, { title: 'Читатель', get: (x) => readers.get(x.reader_id) },
    { title: 'Состояние', get: (x) => (x.state === 'waiting' ? `${stateText.waiting}, ${x.position}-й` : `${stateText.ready} (${x.barcode}) до ${fmtDate(x.ready_until)}`) },
    { title: 'Заказан', get: (x) => fmtDate(x.placed_at) }, { title: '', get: cancel }], holds)
    : h('p', {}, 'Заказов нет.'));
}

await page(async (me) => {
  const school = me.role === 'librarian' ? me.org : new URLSearchParams(location.search).get('school') || '';
  const box = h('div', { id: 'holds', 'aria-live': 'polite' });
  clear($('#content'), box);
  if (!school) return clear(box, h('p', {}, 'Укажите школу: ?school=код.'));
  await show(box, school);
}, ['admin', 'methodologist', 'librarian']);
