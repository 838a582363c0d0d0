// Training, grants and monitoring at a glance: courses, staff due for
// training, projects with their status, survey campaigns and the roadmap.
import { h, $, clear, api, page, fmtDate, table } from '/app.js';

const statusNames = {
  draft: 'черновик', submitted: 'подан', under_review: 'на рассмотрении', approved: 'одобрен',
  rejected: 'отклонён', in_progress: 'выполняется', completed: 'завершён',
  planned: 'запланировано', done: 'выполнено', overdue: 'просрочено', open: 'открыта', closed: 'закрыта',
};
const st = (s) => statusNames[s] || s || '';
const items = (r, ...keys) => (r.ok ? keys.map((k) => r.data[k]).find(Array.isArray) || (Array.isArray(r.data) ? r.data : []) : []);

await page(async () => {
  const [courses, due, projects, campaigns, roadmap] = await Promise.all([
    api('GET', '/api/v1/training/courses?limit=20'),
    api('GET', '/api/v1/training/due?limit=20'),
    api('GET', '/api/v1/grants/projects?limit=20'),
    api('GET', '/api/v1/monitoring/campaigns?limit=20'),
    api('GET', '/api/v1/monitoring/roadmap/activities?limit=20'),
  ]);
  clear($('#content'),
    h('h2', {}, 'Курсы повышения квалификации'),
    table(null, [{ key: 'title', title: 'Курс' }, { key: 'provider', title: 'Кто проводит' },
      { key: 'hours', title: 'Часов', num: true }, { title: 'Начало', get: (c) => fmtDate(c.starts_on) },
      { title: 'Состояние', get: (c) => st(c.status) }], items(courses, 'items', 'courses')),
    h('h2', {}, 'Кому пора учиться (раз в 3 года)'),
    table(null, [{ key: 'full_name', title: 'Сотрудник' }, { key: 'school', title: 'Школа' },
      { title: 'Состояние', get: (s) => (s.state === 'overdue' ? 'срок прошёл' : 'скоро') }],
    (due.ok ? due.data.schools || [] : []).flatMap((sc) => sc.staff.map((x) => ({ ...x, school: sc.school })))),
    h('h2', {}, 'Проекты трансформации'),
    table(null, [{ key: 'title', title: 'Проект' }, { key: 'school', title: 'Школа' },
      { title: 'Статус', get: (p) => st(p.status) }], items(projects, 'items', 'projects')),
    h('h2', {}, 'Анкетирование'),
    table(null, [{ key: 'title', title: 'Кампания' }, { title: 'Состояние', get: (c) => st(c.status) },
      { title: 'Ответили', num: true, get: (c) => `${c.answered} из ${c.schools}` }],
      items(campaigns, 'items', 'campaigns')),
    h('h2', {}, 'Дорожная карта'),
    table(null, [{ key: 'section', title: 'Раздел' }, { key: 'title', title: 'Мероприятие' },
      { title: 'Срок', get: (a) => fmtDate(a.deadline) }, { title: 'Состояние', get: (a) => st(a.status) }],
    items(roadmap, 'items', 'activities')));
}, ['admin', 'methodologist', 'librarian']);
