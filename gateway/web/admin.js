// The admin's page: people's accounts, a new account, and per account:
// role, organisation, unlock, disable, a new password.
import { h, $, clear, api, page, problemText, fieldError, roleName, fmtDate } from '/app.js';

const roles = ['librarian', 'methodologist', 'admin'];

function say(ok, text, detail) {
  clear($('#admin-result'), h('p', { class: `result ${ok ? 'ok' : 'bad'}`, role: ok ? 'status' : 'alert' },
    (ok ? '✔ ' : '✖ ') + text, detail ? h('span', { class: 'detail' }, detail) : null));
}

async function patch(a, body, done) {
  const r = await api('PATCH', `/api/v1/admin/accounts/${encodeURIComponent(a.id)}`, body);
  if (r.ok) say(true, done);
  else say(false, problemText(r).title, r.data?.detail);
  await list();
}

async function list() {
  const r = await api('GET', '/api/v1/admin/accounts?limit=500');
  const box = $('#accounts');
  if (!r.ok) return clear(box, h('p', { class: 'result bad' }, problemText(r).title));
  clear(box, h('table', {}, h('caption', {}, `Учётные записи: ${r.data.total}`),
    h('thead', {}, h('tr', {}, ['Логин', 'Имя', 'Организация', 'Роль', 'Состояние', 'Действия'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.data.items.map((a) => {
      const sel = h('select', { 'aria-label': `Роль ${a.login}` }, roles.map((x) => h('option', { value: x, selected: a.role === x }, roleName(x))));
      sel.addEventListener('change', () => patch(a, { role: sel.value }, `Роль ${a.login} изменена`));
      const state = a.disabled ? 'отключена' : a.locked_until ? `заблокирована до ${new Date(a.locked_until).toLocaleTimeString('ru-RU')}` : 'активна';
      return h('tr', {},
        h('td', {}, a.login), h('td', {}, a.name || ''), h('td', {}, a.org), h('td', {}, sel), h('td', {}, state),
        h('td', {},
          a.locked_until ? h('button', { type: 'button', onclick: () => patch(a, { unlock: true }, `${a.login} разблокирован`) }, 'Разблокировать') : null, ' ',
          h('button', { type: 'button', onclick: () => patch(a, { disabled: !a.disabled }, a.disabled ? `${a.login} включён` : `${a.login} отключён`) }, a.disabled ? 'Включить' : 'Отключить'), ' ',
          h('button', { type: 'button', onclick: () => {
            const pw = prompt(`Новый пароль для ${a.login} (не короче 10 символов)`);
            if (pw) patch(a, { password: pw }, `Пароль ${a.login} изменён`);
          } }, 'Новый пароль')));
    }))));
}

await page(async () => {
  const f = (id, label, attrs = {}) => h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, ...attrs }));
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Новая учётная запись'),
    h('div', { class: 'cols' },
      f('login', 'Логин (a-z, цифры, . - _)', { autocomplete: 'off', required: true }),
      f('name', 'Имя', {}),
      f('org', 'Организация (код школы)', { required: true }),
      h('div', { class: 'field' }, h('label', { for: 'role' }, 'Роль'),
        h('select', { id: 'role', name: 'role' }, roles.map((x) => h('option', { value: x }, roleName(x))))),
      f('password', 'Пароль (не короче 10 символов)', { type: 'password', autocomplete: 'new-password', required: true })),
    h('button', { type: 'submit', class: 'primary' }, 'Создать'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const el = form.elements;
    for (const i of form.querySelectorAll('input')) fieldError(i, '');
    const r = await api('POST', '/api/v1/admin/accounts', {
      login: el.login.value.trim(), name: el.name.value.trim(), org: el.org.value.trim(), role: el.role.value, password: el.password.value,
    });
    if (r.ok) {
      form.reset();
      say(true, `Учётная запись ${r.data.login} создана`);
      return list();
    }
    const m = (r.data?.detail || '').match(/'([a-z]+)'/);
    if (m && el[m[1]] && el[m[1]].tagName === 'INPUT') {
      fieldError(el[m[1]], r.data.detail);
      el[m[1]].focus();
    } else if (r.status === 409) {
      fieldError(el.login, 'Этот логин занят.');
      el.login.focus();
    } else say(false, problemText(r).title, r.data?.detail);
  });
  clear($('#content'), form, h('div', { id: 'admin-result', 'aria-live': 'polite' }), h('section', { id: 'accounts' }));
  await list();
}, ['admin']);
