// Class sets: a class gets one copy of each chosen textbook in one go (the
// September rush), the answer per pupil; the school's class sets with the
// copies still out, and taking a class's textbooks back in June.
import { h, $, clear, api, page, fmtDate, table, problemText } from '/app.js';

const statusText = { issued: 'выдан', short: 'не хватило', already_on_loan: 'уже был' };

function bad(r) {
  const p = problemText(r);
  return h('p', { class: 'result bad', role: 'alert' }, p.title, ' ', r.data?.detail || '');
}

// What each pupil got, one row per pupil, a column per textbook.
function issuedTable(data, titles) {
  const books = data.textbooks || [];
  return table(`Класс ${data.class_set?.class}: выдано ${data.class_set?.issued}, не хватило ${data.class_set?.short}`,
    [{ key: 'name', title: 'Ученик' }, ...books.map((b, i) => ({
      title: titles.get(b.record_id) || b.record_id,
      get: (r) => { const t = r.textbooks[i]; return t ? `${statusText[t.status] || t.status}${t.barcode ? ' ' + t.barcode : ''}` : ''; },
    }))], (data.readers || []).map((r) => ({ ...r, name: r.name || r.reader_id })));
}

// The school's class sets; said: the answer to the last return, kept above
// the refreshed list (it was prepended and then wiped by the refresh).
async function listSets(box, school, said = null) {
  const r = await api('GET', `/api/v1/circulation/class-sets?school=${encodeURIComponent(school)}&limit=50`);
  if (!r.ok) return clear(box, said, bad(r));
  const sets = r.data.class_sets || [];
  const back = (cls) => {
    const b = h('button', { type: 'button' }, `Принять у ${cls}`);
    b.addEventListener('click', async () => {
      b.disabled = true;
      const res = await api('POST', '/api/v1/circulation/class-sets/return', { class: cls, school });
      await listSets(box, school, res.ok ? h('p', { class: 'result ok', role: 'status' }, `Класс ${cls}: учебники приняты.`) : bad(res));
    });
    return b;
  };
  clear(box, said, h('h2', {}, 'Выданные комплекты'), sets.length ? table(null, [
    { key: 'class', title: 'Класс' }, { title: 'Выдан', get: (s) => fmtDate(s.created_at) },
    { title: 'До', get: (s) => fmtDate(s.due_date) }, { key: 'issued', title: 'Выдано', num: true },
    { key: 'short', title: 'Не хватило', num: true }, { key: 'out', title: 'На руках', num: true },
    { title: '', get: (s) => (s.out > 0 ? back(s.class) : 'возвращён') }], sets) : h('p', {}, 'Комплектов пока нет.'));
}

await page(async (me) => {
  const school = me.role === 'librarian' ? me.org : new URLSearchParams(location.search).get('school') || '';
  const chosen = new Map(); // record id → title
  const cls = h('input', { id: 'class', name: 'class', maxlength: 16, required: true });
  const q = h('input', { id: 'q', name: 'q', type: 'search' });
  const found = h('div', { id: 'found' });
  const picked = h('ul', { id: 'picked' });
  const result = h('div', { id: 'result', 'aria-live': 'polite' });
  const sets = h('section', { id: 'sets' });
  const showPicked = () => clear(picked, [...chosen].map(([id, title]) => h('li', {}, title)));
  const search = h('form', { class: 'row', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'q' }, 'Найти учебник'), q),
    h('button', { type: 'submit' }, 'Искать'));
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('GET', `/api/v1/catalog/records?type=textbook&limit=20&q=${encodeURIComponent(q.value.trim())}`);
    if (!r.ok) return clear(found, bad(r));
    clear(found, h('ul', { class: 'plain' }, (r.data.items || r.data.records || []).map((rec) => {
      const box = h('input', { type: 'checkbox', id: `tb-${rec.id}`, checked: chosen.has(rec.id) });
      box.addEventListener('change', () => { if (box.checked) chosen.set(rec.id, rec.title); else chosen.delete(rec.id); showPicked(); });
      return h('li', {}, h('label', { for: `tb-${rec.id}`, class: 'inline' }, box, ` ${rec.title}${rec.grade ? ` (${rec.grade} кл.)` : ''}`));
    })));
  });
  const issue = h('form', { class: 'card' },
    h('div', { class: 'field' }, h('label', { for: 'class' }, 'Класс, например 5А'), cls),
    h('p', {}, 'Учебники комплекта:'), picked,
    h('button', { type: 'submit', class: 'primary', id: 'issue' }, 'Выдать классу'));
  issue.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!chosen.size) return clear(result, h('p', { class: 'result bad', role: 'alert' }, 'Выберите хотя бы один учебник.'));
    $('#issue').disabled = true;
    const r = await api('POST', '/api/v1/circulation/class-sets', { class: cls.value.trim(), record_ids: [...chosen.keys()], school });
    $('#issue').disabled = false;
    clear(result, r.ok ? issuedTable(r.data, chosen) : bad(r));
    await listSets(sets, school);
  });
  clear($('#content'), h('div', { class: 'card' }, search, found), issue, result, sets);
  if (school) await listSets(sets, school);
}, ['admin', 'librarian']);
