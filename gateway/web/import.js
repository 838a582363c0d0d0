// MARC import: the file goes up as the request body, the catalog answers with
// a job at once, and the bar follows the job (records read of expected) until
// it is done; then the counts, the errors and warnings per record.
import { h, $, clear, api, page, problemText, fmtNum, table } from '/app.js';

const MAX = 32 * 1024 * 1024; // IBC_MAX_IMPORT_BODY's default: refused before upload

function say(ok, text, detail) {
  clear($('#import-result'), h('p', { class: `result ${ok ? 'ok' : 'bad'}`, role: ok ? 'status' : 'alert' },
    (ok ? '✔ ' : '✖ ') + text, detail ? h('span', { class: 'detail' }, detail) : null));
}

// While the job runs, a button cancels it: a queued job ends at once, a
// running one after the batch it is writing (what was written stays).
function cancelButton(id) {
  const b = h('button', { type: 'button', id: 'cancel-import' }, 'Отменить импорт');
  b.addEventListener('click', async () => {
    b.disabled = true;
    const r = await api('POST', `/api/v1/catalog/imports/${encodeURIComponent(id)}/cancel`, {});
    if (!r.ok && r.status !== 409) {
      b.disabled = false;
      say(false, problemText(r).title, r.data?.detail);
    } else {
      b.textContent = 'Отмена… (записанное остаётся)';
    }
  });
  return b;
}

async function follow(id) {
  const bar = $('#bar');
  const label = $('#bar-text');
  const cancel = cancelButton(id);
  $('#bar-text').after(cancel);
  try {
    await track(id, bar, label);
  } finally {
    cancel.remove();
  }
}

async function track(id, bar, label) {
  for (;;) {
    const r = await api('GET', `/api/v1/catalog/imports/${encodeURIComponent(id)}`);
    if (!r.ok) return say(false, problemText(r).title, r.data?.detail);
    const j = r.data;
    const pct = j.status === 'done' ? 100 : j.expected ? Math.floor((100 * (j.read || 0)) / j.expected) : 0;
    bar.value = pct;
    label.textContent = `${pct} % · прочитано ${fmtNum(j.read || 0)} из ${j.expected ? fmtNum(j.expected) : '…'}`;
    if (['done', 'failed', 'cancelled'].includes(j.status)) return report(j);
    await new Promise((res) => setTimeout(res, 400));
  }
}

function report(j) {
  const counts = [['создано', j.created], ['объединено с имеющимися', j.merged], ['без изменений', j.unchanged],
    ['обновлено', j.updated], ['с ошибками', j.failed], ['экземпляров создано', j.items_created]];
  const title = { done: 'Импорт завершён', cancelled: 'Импорт отменён: записанное до отмены осталось в каталоге' }[j.status] || 'Импорт не удался';
  say(j.status === 'done', title,
    counts.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${fmtNum(v)}`).join(', '));
  const rows = [...(j.errors || []).map((e) => ({ ...e, kind: 'ошибка' })), ...(j.warnings || []).map((w) => ({ ...w, kind: 'предупреждение' }))];
  clear($('#import-report'),
    rows.length ? table('Ошибки и предупреждения по записям', [
      { key: 'position', title: '№ записи', num: true }, { key: 'kind', title: 'Вид' }, { key: 'reason', title: 'Причина' }], rows) : null,
    (j.notes || []).map((n) => h('p', { class: 'note' }, n)));
}

await page(async (me) => {
  const file = h('input', { id: 'file', type: 'file', accept: '.mrc,.iso,.xml,.marc', required: true });
  const format = h('select', { id: 'format' }, h('option', { value: 'rusmarc' }, 'RUSMARC'), h('option', { value: 'marc21' }, 'MARC21'));
  const charset = h('select', { id: 'charset' }, ['utf-8', 'cp1251', 'marc-8'].map((c) => h('option', { value: c }, c.toUpperCase())));
  const school = h('input', { id: 'school', value: me.role === 'librarian' ? me.org : '', readonly: me.role === 'librarian' });
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'file' }, 'Файл MARC (ISO 2709 или MARCXML, до 32 МБ)'), file),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'format' }, 'Формат'), format),
      h('div', { class: 'field' }, h('label', { for: 'charset' }, 'Кодировка (для ISO 2709)'), charset),
      h('div', { class: 'field' }, h('label', { for: 'school' }, 'Школа (для экземпляров)'), school)),
    h('button', { type: 'submit', class: 'primary' }, 'Загрузить'));
  const progress = h('div', { class: 'card' },
    h('label', { for: 'bar' }, 'Ход импорта'),
    h('progress', { id: 'bar', max: 100, value: 0 }),
    h('p', { id: 'bar-text', 'aria-live': 'polite' }, 'файл не выбран'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return say(false, 'Выберите файл.');
    if (f.size > MAX) return say(false, 'Слишком большой файл', `${fmtNum(f.size / 1048576, 1)} МБ; наибольший — 32 МБ. Разделите файл на части.`);
    const xml = /\.xml$/i.test(f.name);
    const q = new URLSearchParams({ format: format.value });
    if (!xml) q.set('charset', charset.value);
    if (school.value.trim()) q.set('school', school.value.trim());
    const btn = form.querySelector('button');
    btn.disabled = true;
    $('#bar-text').textContent = 'загрузка файла…';
    const r = await api('POST', `/api/v1/catalog/imports?${q}`, f, { contentType: xml ? 'application/marcxml+xml' : 'application/marc' });
    btn.disabled = false;
    if (!r.ok) return say(false, r.status === 0 ? 'Файл не принят: связь прервалась' : problemText(r).title, r.data?.detail);
    say(true, 'Файл принят, идёт импорт');
    await follow(r.data.id);
  });
  clear($('#content'), form, progress, h('div', { id: 'import-result', 'aria-live': 'polite' }), h('section', { id: 'import-report' }));
});
