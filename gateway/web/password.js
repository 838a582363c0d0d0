// Change one's own password (the current one is asked again).
import { h, $, clear, api, page, problemText, fieldError } from '/app.js';

await page(async () => {
  const cur = h('input', { id: 'current', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'new', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const again = h('input', { id: 'again', type: 'password', autocomplete: 'new-password', required: true });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'current' }, 'Текущий пароль'), cur),
    h('div', { class: 'field' }, h('label', { for: 'new' }, 'Новый пароль (не короче 10 символов)'), next),
    h('div', { class: 'field' }, h('label', { for: 'again' }, 'Новый пароль ещё раз'), again),
    msg, h('button', { type: 'submit', class: 'primary' }, 'Сменить пароль'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    [cur, next, again].forEach((i) => fieldError(i, ''));
    clear(msg);
    if (next.value.length < 10) return fieldError(next, 'Не короче 10 символов.'), next.focus();
    if (next.value !== again.value) return fieldError(again, 'Пароли не совпадают.'), again.focus();
    const r = await api('PUT', '/api/v1/session/password', { current: cur.value, new: next.value });
    if (r.ok) {
      form.reset();
      clear(msg, h('p', { class: 'result ok', role: 'status' }, '✔ Пароль изменён. Другие сеансы завершены.'));
    } else if (r.status === 422) {
      fieldError(cur, 'Это не ваш текущий пароль.');
      cur.focus();
    } else {
      const p = problemText(r);
      clear(msg, h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
    }
  });
  clear($('#content'), form);
  cur.focus();
});
