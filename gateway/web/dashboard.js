// The network's dashboard: each indicator against its target, the roadmap's
// progress, and charts of the indicators by month, each with the table
// behind it on demand. Everything comes from /api/v1/monitoring as is.
import { h, $, clear, api, page, problemText, fmtNum, table } from '/app.js';
import { barChart } from '/chart.js';

const monthNames = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];
const month = (m) => `${monthNames[Number(m.slice(5, 7)) - 1]} ${m.slice(2, 4)}`;
const unitFmt = (ind, v) => (ind.unit === 'share' ? `${fmtNum(v * 100, 1)} %` : fmtNum(v, 2));

function tile(id, ind) {
  const p = ind.progress;
  return h('li', { class: 'tile', 'data-indicator': id },
    h('h3', {}, ind.title),
    h('p', { class: 'value' }, ind.value === null ? '—' : unitFmt(ind, ind.value)),
    h('p', { class: 'target' }, ind.target === null ? 'цель не задана' : `цель ${unitFmt(ind, ind.target)} · выполнено ${fmtNum((p || 0) * 100)} %`),
    ind.target !== null ? h('progress', { max: 100, value: Math.min(100, Math.round((p || 0) * 100)), 'aria-label': `${ind.title}: выполнение цели` }) : null);
}

function chartBlock(id, ind) {
  const canvas = h('canvas', { id: `chart-${id}`, width: 600, height: 260 });
  const labels = ind.history.map((x) => month(x.month));
  const values = ind.history.map((x) => x.value);
  const tbl = table(`${ind.title} по месяцам`, [
    { key: 'month', title: 'Месяц' },
    { title: 'Значение', num: true, get: (x) => (x.value === null ? '—' : String(x.value)) }], ind.history);
  tbl.classList.add('data');
  const block = h('section', { class: 'card', 'aria-labelledby': `h-${id}` },
    h('h2', { id: `h-${id}` }, ind.title),
    canvas,
    h('details', {}, h('summary', {}, 'Таблица с данными'), tbl));
  requestAnimationFrame(() => barChart(canvas, labels, values, { title: ind.title, target: ind.unit === 'share' ? null : ind.target }));
  return block;
}

async function load(months, school) {
  const q = new URLSearchParams({ months });
  if (school) q.set('school', school);
  const [r, road] = await Promise.all([
    api('GET', `/api/v1/monitoring/indicators?${q}`),
    api('GET', '/api/v1/monitoring/roadmap/progress'),
  ]);
  const box = $('#dash');
  if (!r.ok) {
    const p = problemText(r);
    return clear(box, h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
  }
  const inds = r.data.indicators;
  const rd = road.ok ? road.data.total : null;
  clear(box,
    h('p', {}, `Данные на ${new Date(r.data.as_of).toLocaleString('ru-RU')}${r.data.lag ? `, ещё не учтено событий: ${r.data.lag}` : ''}.`),
    h('ul', { class: 'tiles', role: 'list' }, Object.entries(inds).map(([id, ind]) => tile(id, ind)),
      rd ? h('li', { class: 'tile' }, h('h3', {}, 'Дорожная карта'),
        h('p', { class: 'value' }, `${fmtNum(rd.done)} из ${fmtNum(rd.activities)}`),
        h('p', { class: 'target' }, `в работе ${fmtNum(rd.in_progress)}, просрочено ${fmtNum(rd.overdue)}`)) : null),
    ['loans_per_month', 'active_readers', 'catalog_records', 'trained_staff_share']
      .filter((id) => inds[id]).map((id) => chartBlock(id, inds[id])));
}

await page(async () => {
  const months = h('select', { id: 'months' }, [6, 12, 24].map((m) => h('option', { value: m, selected: m === 12 }, `${m} мес.`)));
  const school = h('input', { id: 'school', placeholder: 'вся сеть' });
  const form = h('form', { class: 'card row', 'aria-label': 'Фильтры' },
    h('div', { class: 'field' }, h('label', { for: 'months' }, 'Период'), months),
    h('div', { class: 'field' }, h('label', { for: 'school' }, 'Школа (код)'), school),
    h('button', { type: 'submit', class: 'primary' }, 'Показать'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load(months.value, school.value.trim());
  });
  clear($('#content'), form, h('div', { id: 'dash', 'aria-live': 'polite' }));
  await load(12, '');
}, ['admin', 'methodologist', 'librarian']);
