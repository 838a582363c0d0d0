// The start page: the sign-in form, or the sections open to the person.
import { h, $, clear, whoami, signInForm, page, roleName } from '/app.js';

const sections = [
  ['/desk.html', 'Выдача и возврат', 'Сканируйте билет читателя и штрихкоды книг.', ['admin', 'librarian']],
  ['/classsets.html', 'Комплекты учебников', 'Выдать классу учебники разом и принять их в конце года.', ['admin', 'librarian']],
  ['/holds.html', 'Заказы читателей', 'Кто ждёт какую книгу, что отложено на полке.', null],
  ['/overdue.html', 'Должники по классам', 'Просроченные книги по классам, список для классного руководителя (CSV).', null],
  ['/catalog.html', 'Каталог', 'Поиск в сводном каталоге, записи и экземпляры.', null],
  ['/edit.html', 'Новая запись', 'Описать книгу, учебник или ресурс.', null],
  ['/import.html', 'Импорт MARC', 'Загрузить файл RUSMARC или MARC21.', null],
  ['/dashboard.html', 'Показатели сети', 'Цели, динамика выдачи, таблицы.', null],
  ['/lists.html', 'Обучение, гранты, мониторинг: сводка', 'Курсы, проекты, дорожная карта одним списком.', null],
  ['/training.html', 'Обучение сотрудников', 'Сотрудники, курсы, запись и удостоверения.', null],
  ['/grants.html', 'Грантовые проекты', 'Заявки школ и их путь от черновика до завершения.', null],
  ['/monitoring.html', 'Анкетирование и дорожная карта', 'Кампании, ответы школ, мероприятия.', null],
  ['/passport.html', 'Паспорт библиотеки', 'Оснащение, читальный зал, уровень ИБЦ.', null],
  ['/admin.html', 'Сотрудники', 'Учётные записи и роли.', ['admin']],
];

async function home(me) {
  clear($('#content'),
    h('p', {}, `Здравствуйте, ${me.name || me.login} (${roleName(me.role)}, ${me.org}).`),
    h('ul', { class: 'tiles', role: 'list' }, sections.filter((s) => !s[3] || s[3].includes(me.role)).map((s) =>
      h('li', { class: 'tile' }, h('h2', {}, h('a', { href: s[0] }, s[1])), h('p', {}, s[2])))));
}

if (await whoami()) {
  await page(home);
} else {
  clear($('#content'), h('div', { class: 'card' }, h('h2', {}, 'Вход'),
    signInForm(() => location.reload())));
  $('#login').focus();
}
