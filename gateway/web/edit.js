// Create or edit a record. The browser's own checks come first (required,
// numbers); the catalog's answer names the wrong field ('isbn', 'year', ...)
// and its message is put next to that field. A save sends If-Match with the
// version that was opened, so that another person's change is not lost.
import { h, $, clear, api, page, problemText, fieldError } from '/app.js';
import { russian } from '/forms.js';

const types = [['book', 'Книга'], ['textbook', 'Учебник'], ['e-resource', 'Электронный ресурс'],
  ['multimedia', 'Мультимедиа'], ['periodical', 'Периодика'], ['methodical', 'Методический материал']];
const fields = [
  ['title', 'Заглавие', 'text', true], ['subtitle', 'Подзаголовок', 'text'],
  ['authors', 'Авторы (по одному в строке: Фамилия, Имя Отчество)', 'lines'],
  ['publisher', 'Издательство', 'text'], ['place', 'Место издания', 'text'],
  ['year', 'Год издания', 'number'], ['isbn', 'ISBN', 'text'], ['language', 'Язык (код, например rus)', 'text'],
  ['bbk', 'ББК', 'text'], ['udk', 'УДК', 'text'], ['series', 'Серия', 'text'],
  ['subjects', 'Темы (по одной в строке)', 'lines'], ['annotation', 'Аннотация', 'area'],
];

function control(name, label, kind, required, value) {
  const id = `f-${name}`;
  let el;
  if (kind === 'lines' || kind === 'area') {
    el = h('textarea', { id, name, rows: kind === 'area' ? 5 : 3 });
    el.value = Array.isArray(value) ? value.join('\n') : value ?? '';
  } else {
    el = h('input', { id, name, type: kind === 'number' ? 'number' : 'text', required, inputmode: kind === 'number' ? 'numeric' : null });
    el.value = value ?? '';
  }
  if (name === 'year') Object.assign(el, { min: 1000, max: new Date().getFullYear() + 1 });
  return h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' (обязательно)' : ''), el);
}

function body(form) {
  const out = { type: form.elements.type.value };
  for (const [name, , kind] of fields) {
    const v = form.elements[name].value.trim();
    if (!v) continue;
    if (kind === 'lines') out[name] = v.split('\n').map((s) => s.trim()).filter(Boolean);
    else if (kind === 'number') out[name] = Number(v);
    else out[name] = v;
  }
  const age = form.elements.age_rating.value;
  if (age) out.age_rating = age;
  return out;
}

// Client checks that need no server: returns false after marking the fields.
function check(form) {
  let ok = true;
  const t = form.elements.title;
  fieldError(t, t.value.trim() ? '' : 'Заполните заглавие.');
  if (!t.value.trim()) ok = false;
  const y = form.elements.year;
  const bad = y.value && (!Number.isInteger(Number(y.value)) || Number(y.value) < 1000 || Number(y.value) > Number(y.max));
  fieldError(y, bad ? `Год — число от 1000 до ${y.max}.` : '');
  if (bad) ok = false;
  if (!ok) form.querySelector('[aria-invalid="true"]').focus();
  return ok;
}

await page(async () => {
  const id = new URLSearchParams(location.search).get('id');
  let rec = {};
  if (id) {
    const r = await api('GET', `/api/v1/catalog/records/${encodeURIComponent(id)}`);
    if (!r.ok) return clear($('#content'), h('p', { class: 'result bad', role: 'alert' }, problemText(r).title));
    rec = r.data;
    $('h1').textContent = `Изменить: ${rec.title}`;
  } else {
    $('h1').textContent = 'Новая запись';
  }
  const type = h('select', { id: 'f-type', name: 'type' }, types.map(([v, t]) => h('option', { value: v, selected: rec.type === v }, t)));
  const age = h('select', { id: 'f-age_rating', name: 'age_rating' }, h('option', { value: '' }, 'нет'),
    ['0+', '6+', '12+', '16+', '18+'].map((v) => h('option', { value: v, selected: rec.age_rating === v }, v)));
  const msg = h('div', { id: 'form-result', 'aria-live': 'assertive' });
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'f-type' }, 'Вид'), type),
    fields.map(([n, l, k, req]) => control(n, l, k, req, rec[n])),
    h('div', { class: 'field' }, h('label', { for: 'f-age_rating' }, 'Возрастная маркировка (436-ФЗ)'), age),
    msg,
    h('button', { type: 'submit', class: 'primary' }, id ? 'Сохранить' : 'Создать запись'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of form.querySelectorAll('[aria-invalid]')) fieldError(el, '');
    clear(msg);
    if (!check(form)) return;
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    const r = id
      ? await api('PUT', `/api/v1/catalog/records/${encodeURIComponent(id)}`, body(form), { headers: { 'If-Match': `"${rec.version}"` } })
      : await api('POST', '/api/v1/catalog/records', body(form));
    btn.disabled = false;
    if (r.ok) {
      location.href = `/record.html?id=${encodeURIComponent(r.data.id)}`;
      return;
    }
    const detail = r.data?.detail || '';
    const m = detail.match(/^'([a-z_]+)(\[\d+\])?'/);
    const input = m && form.elements[m[1]];
    if (input) {
      fieldError(input, russian(detail));
      input.focus();
    } else if (r.status === 409 && r.data?.existing_id) {
      fieldError(form.elements.isbn, 'Запись с этим ISBN уже есть в каталоге.');
      clear(msg, h('p', { class: 'result bad', role: 'alert' }, 'Такая книга уже есть: ',
        h('a', { href: `/record.html?id=${encodeURIComponent(r.data.existing_id)}` }, 'открыть её и добавить экземпляр')));
    } else {
      const p = problemText(r);
      clear(msg, h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
    }
  });
  clear($('#content'), form);
  form.elements.title.focus();
});
