// The workstation's shared layer: the signed-in person, calls to /api/v1
// with the session's CSRF token, the page frame (skip link, menu, sign-out)
// and a sign-in dialog that appears over the page when the session has
// ended, so that a half-filled form keeps its content. Data is only ever
// put into the page as text (h() sets textContent), never as HTML.

let me = null;

// h('p', {class: 'x', onclick: f}, 'text', child...): a new element.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function clear(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
  return el;
}

export function session() {
  return me;
}

export const typeNames = {
  book: 'Книга', textbook: 'Учебник', 'e-resource': 'Электронный ресурс', multimedia: 'Мультимедиа',
  periodical: 'Периодика', methodical: 'Методический материал',
};

const roleNames = { admin: 'администратор', methodologist: 'методист', librarian: 'библиотекарь' };
export const roleName = (r) => roleNames[r] || r;

// Russian for the statuses a person may meet; the service's own sentence
// (English) follows it as the detail.
const statusText = {
  400: 'Неверные данные',
  401: 'Нужно войти',
  403: 'Нет прав на это действие',
  404: 'Не найдено',
  409: 'Отказано',
  412: 'Запись изменил кто-то другой: откройте её заново',
  413: 'Слишком большой файл',
  415: 'Неподдерживаемый тип файла',
  422: 'Неверные данные',
  429: 'Слишком много попыток',
  503: 'Сервис недоступен, повторите позже',
  504: 'Сервис не ответил вовремя',
};
export function problemText(res) {
  const p = res.data || {};
  return { title: statusText[res.status] || `Ошибка ${res.status}`, detail: p.detail || '' };
}

// One call of the API. Returns {status, ok, data, headers}. A 401 from an
// ended session opens the sign-in dialog and, once signed in, repeats the
// call (opts.relogin false: does not).
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (body !== undefined && body !== null) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && me && me.csrf_token) headers['X-CSRF-Token'] = me.csrf_token;
  Object.assign(headers, opts.headers || {});
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    return { status: 0, ok: false, data: { detail: 'нет связи с сервером' } };
  }
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (r.status === 401 && opts.relogin !== false && me) {
    me = null;
    await signInDialog('Сеанс завершился. Войдите снова — введённые данные сохранятся.');
    return api(method, path, body, opts);
  }
  return { status: r.status, ok: r.ok, data, headers: r.headers };
}

export async function whoami() {
  const r = await api('GET', '/api/v1/session', null, { relogin: false });
  me = r.ok ? r.data : null;
  return me;
}

export async function signIn(login, password) {
  const r = await api('POST', '/api/v1/session', { login, password }, { relogin: false });
  if (r.ok) me = r.data;
  return r;
}

// The sign-in form (in a page or in the dialog): calls done() once signed in.
export function signInForm(done, note) {
  const msg = h('p', { class: 'msg', role: 'alert', 'aria-live': 'assertive' });
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true });
  const pass = h('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true,
  });
  const form = h('form', { class: 'signin', novalidate: true },
    note ? h('p', { class: 'note' }, note) : null,
    h('div', { class: 'field' }, h('label', { for: 'login' }, 'Логин'), login),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Пароль'), pass),
    msg,
    h('button', { type: 'submit', class: 'primary' }, 'Войти'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!login.value || !pass.value) {
      msg.textContent = 'Введите логин и пароль.';
      return;
    }
    const r = await signIn(login.value.trim(), pass.value);
    if (r.ok) {
      pass.value = '';
      done(me);
    } else if (r.status === 429) {
      msg.textContent = 'Вход заблокирован после 10 неверных паролей. ' + (r.data?.detail || '');
    } else if (r.status === 401) {
      msg.textContent = 'Неверный логин или пароль.';
    } else {
      const p = problemText(r);
      msg.textContent = `${p.title}. ${p.detail}`;
    }
  });
  return form;
}

let dialogOpen = null;
export function signInDialog(note) {
  if (dialogOpen) return dialogOpen;
  dialogOpen = new Promise((resolve) => {
    const dlg = h('dialog', { class: 'signin-dialog', 'aria-labelledby': 'signin-title' },
      h('h2', { id: 'signin-title' }, 'Вход'));
    dlg.append(signInForm(() => {
      dlg.close();
      dlg.remove();
      dialogOpen = null;
      resolve(me);
    }, note));
    dlg.addEventListener('cancel', (e) => e.preventDefault());
    document.body.append(dlg);
    dlg.showModal();
    dlg.querySelector('input').focus();
  });
  return dialogOpen;
}

const pages = [
  { href: '/desk.html', text: 'Выдача', roles: ['admin', 'librarian'] },
  { href: '/classsets.html', text: 'Комплекты', roles: ['admin', 'librarian'] },
  { href: '/holds.html', text: 'Заказы', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/overdue.html', text: 'Должники', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/catalog.html', text: 'Каталог', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/import.html', text: 'Импорт MARC', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/dashboard.html', text: 'Показатели сети', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/lists.html', text: 'Сводка', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/training.html', text: 'Обучение', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/grants.html', text: 'Гранты', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/monitoring.html', text: 'Мониторинг', roles: ['admin', 'methodologist', 'librarian'] },
  { href: '/audit.html', text: 'Журнал ПДн', roles: ['admin', 'librarian'] },
  { href: '/admin.html', text: 'Сотрудники', roles: ['admin'] },
  { href: '/password.html', text: 'Пароль', roles: ['admin', 'methodologist', 'librarian'] },
];

function frame() {
  const header = $('#top');
  const here = location.pathname;
  const nav = h('nav', { 'aria-label': 'Разделы' },
    h('ul', {}, pages.filter((p) => me && p.roles.includes(me.role)).map((p) =>
      h('li', {}, h('a', { href: p.href, 'aria-current': here === p.href ? 'page' : null }, p.text)))));
  const out = h('button', { type: 'button', class: 'link' }, 'Выйти');
  out.addEventListener('click', async () => {
    await api('DELETE', '/api/v1/session', null, { relogin: false });
    me = null;
    location.href = '/';
  });
  clear(header,
    h('a', { href: '/', class: 'brand' }, 'ИБЦ · рабочее место'),
    nav,
    me ? h('p', { class: 'who' }, `${me.name || me.login} · ${roleName(me.role)} · ${me.org}`, ' ', out) : null);
}

// Starts a page: the signed-in person (asking to sign in when there is
// none), the frame, then init(me). roles: who may use the page.
export async function page(init, roles) {
  if (!(await whoami())) await signInDialog('Войдите, чтобы открыть эту страницу.');
  frame();
  const main = $('#main');
  if (roles && !roles.includes(me.role)) {
    main.append(h('p', { class: 'result bad', role: 'alert' }, 'Эта страница не для вашей роли.'));
    return;
  }
  await init(me);
}

export function fmtDate(s) {
  if (!s) return '';
  const d = new Date(s.length === 10 ? s + 'T00:00:00' : s);
  return isNaN(d) ? s : d.toLocaleDateString('ru-RU');
}

export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('ru-RU', { maximumFractionDigits: digits });
}

// A field's error next to it: sets aria-invalid and aria-describedby.
export function fieldError(input, text) {
  const id = input.id + '-error';
  let el = document.getElementById(id);
  if (!text) {
    input.removeAttribute('aria-invalid');
    if (el) el.remove();
    return;
  }
  if (!el) {
    el = h('p', { id, class: 'field-error' });
    input.after(el);
  }
  el.textContent = text;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
}

// A table from rows: cols [{key|get, title, num}].
export function table(caption, cols, rows) {
  return h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => {
      const v = c.get ? c.get(r) : r[c.key];
      return h('td', { class: c.num ? 'num' : null }, v instanceof Node ? v : v ?? '');
    })))));
}
