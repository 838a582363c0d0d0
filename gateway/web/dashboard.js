// The network's dashboard: each indicator against its target, the roadmap's
// progress, textbook provision by grade and subject as a heat map, survey
// completion per school, and charts of the indicators by month, each with
// the table behind it on demand. Filters by period, district and school go
// into every request (and the address); the numbers are the API's as is.
import { h, $, clear, api, page, problemText, fmtNum, fmtDate, table } from '/app.js';
import { barChart } from '/chart.js';
import { heatMap, legend, percent } from '/heatmap.js';

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

function failure(r) {
  const p = problemText(r);
  return h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail));
}

// A card with its chart and the table behind it, folded.
function card(id, title, chart, tbl, ...extra) {
  tbl.classList.add('data');
  return h('section', { class: 'card', 'aria-labelledby': `h-${id}` },
    h('h2', { id: `h-${id}` }, title), ...extra, chart,
    h('details', {}, h('summary', {}, 'Таблица с данными'), tbl));
}

function chartBlock(id, ind) {
  const canvas = h('canvas', { id: `chart-${id}`, width: 600, height: 260 });
  const labels = ind.history.map((x) => month(x.month));
  const values = ind.history.map((x) => x.value);
  const tbl = table(`${ind.title} по месяцам`, [
    { key: 'month', title: 'Месяц' },
    { title: 'Значение', num: true, get: (x) => (x.value === null ? '—' : String(x.value)) }], ind.history);
  requestAnimationFrame(() => barChart(canvas, labels, values, { title: ind.title, target: ind.unit === 'share' ? null : ind.target }));
  return card(id, ind.title, canvas, tbl);
}

function provisionBlock(r) {
  if (!r.ok) return h('section', { class: 'card' }, h('h2', {}, 'Обеспеченность учебниками'), failure(r));
  const rows = r.data.rows || [];
  const title = 'Обеспеченность учебниками по классам и предметам';
  const map = rows.length
    ? h('div', { class: 'heat-wrap', tabindex: 0, role: 'region', 'aria-label': 'Карта обеспеченности' },
      heatMap('heatmap', 'Доля учащихся, обеспеченных учебником; под долей — экземпляров / учащихся', rows))
    : h('p', {}, 'Нет учебников и учащихся для отчёта.');
  const tbl = table(title, [
    { key: 'grade', title: 'Класс', num: true }, { key: 'subject', title: 'Предмет' },
    { key: 'students', title: 'Учащихся', num: true }, { key: 'copies', title: 'Экземпляров', num: true },
    { title: 'Обеспеченность', num: true, get: (x) => percent(x.share) }], rows);
  return card('provision', title, map, tbl, legend('Цвет — доля обеспеченных:'));
}

// Completion of one campaign per school: who answered, who did not.
function completionView(c) {
  const by = c.by_school || [];
  const grid = h('ul', { class: 'schools', role: 'list', id: 'completion-grid' }, by.map((s) =>
    h('li', { class: s.answered ? 'answered' : 'missing', 'data-school': s.school },
      h('span', { class: 'name' }, s.name || s.school),
      h('span', { class: 'state' }, s.answered ? `✓ ответила ${fmtDate(s.submitted_at)}` : '✗ нет ответа'))));
  const tbl = table(`Ответы школ: ${c.title}`, [
    { key: 'school', title: 'Код' }, { key: 'name', title: 'Школа' }, { title: 'Район', get: (s) => s.district || '—' },
    { title: 'Ответ', get: (s) => (s.answered ? fmtDate(s.submitted_at) : 'нет') }], by);
  tbl.classList.add('data');
  return [
    h('p', { id: 'completion-total' }, `Ответили ${fmtNum(c.answered)} из ${fmtNum(c.schools)} школ (${percent(c.share)}).`),
    h('progress', { max: Math.max(c.schools, 1), value: c.answered, 'aria-label': `Ответили ${percent(c.share)} школ` }),
    by.length ? grid : null,
    h('details', {}, h('summary', {}, 'Таблица с данными'), tbl)];
}

function completionBlock(history, f) {
  const title = 'Ответы школ на мониторинг';
  const box = h('div', { id: 'completion', 'aria-live': 'polite' });
  const campaigns = [...history].reverse();
  if (!campaigns.length) {
    return h('section', { class: 'card', 'aria-labelledby': 'h-completion' }, h('h2', { id: 'h-completion' }, title),
      h('p', {}, 'За выбранный период мониторингов не было.'));
  }
  const pick = h('select', { id: 'campaign' }, campaigns.map((c) => h('option', { value: c.campaign_id }, `${c.title}${c.period ? ` (${c.period})` : ''}`)));
  const show = async () => {
    const q = new URLSearchParams();
    if (f.district) q.set('district', f.district);
    if (f.school) q.set('school', f.school);
    const r = await api('GET', `/api/v1/monitoring/campaigns/${encodeURIComponent(pick.value)}/completion?${q}`);
    clear(box, r.ok ? completionView(r.data) : failure(r));
  };
  pick.addEventListener('change', show);
  show();
  return h('section', { class: 'card', 'aria-labelledby': 'h-completion' }, h('h2', { id: 'h-completion' }, title),
    h('div', { class: 'field' }, h('label', { for: 'campaign' }, 'Мониторинг'), pick), box);
}

function scopeText(f) {
  if (f.school) return `школа ${f.school}`;
  return f.district ? `район «${f.district}»` : 'вся сеть';
}

async function load(f) {
  const q = new URLSearchParams({ months: f.months });
  const pq = new URLSearchParams();
  for (const k of ['school', 'district']) if (f[k]) { q.set(k, f[k]); pq.set(k, f[k]); }
  const [r, road, prov] = await Promise.all([
    api('GET', `/api/v1/monitoring/indicators?${q}`),
    api('GET', '/api/v1/monitoring/roadmap/progress'),
    api('GET', `/api/v1/monitoring/reports/textbook-provision?${pq}`),
  ]);
  const box = $('#dash');
  if (!r.ok) return clear(box, failure(r));
  const inds = r.data.indicators;
  const rd = road.ok ? road.data.total : null;
  clear(box,
    h('p', { id: 'scope' }, `Показано: ${scopeText(f)}, ${f.months} мес. Данные на ${new Date(r.data.as_of).toLocaleString('ru-RU')}${r.data.lag ? `, ещё не учтено событий: ${r.data.lag}` : ''}.`),
    h('ul', { class: 'tiles', role: 'list' }, Object.entries(inds).map(([id, ind]) => tile(id, ind)),
      rd ? h('li', { class: 'tile' }, h('h3', {}, 'Дорожная карта (вся сеть)'),
        h('p', { class: 'value' }, `${fmtNum(rd.done)} из ${fmtNum(rd.activities)}`),
        h('p', { class: 'target' }, `в работе ${fmtNum(rd.in_progress)}, просрочено ${fmtNum(rd.overdue)}`)) : null),
    provisionBlock(prov),
    completionBlock(inds.survey_completion ? inds.survey_completion.history : [], f),
    ['loans_per_month', 'active_readers', 'catalog_records', 'trained_staff_share']
      .filter((id) => inds[id]).map((id) => chartBlock(id, inds[id])));
}

// The districts of the directory, for the filter (every page of schools).
async function districts() {
  const seen = new Set();
  for (let offset = 0, total = 1; offset < total && offset < 5000; offset += 500) {
    const r = await api('GET', `/api/v1/monitoring/schools?limit=500&offset=${offset}`);
    if (!r.ok) break;
    total = r.data.total;
    for (const s of r.data.items || []) if (s.district) seen.add(s.district);
  }
  return [...seen].sort((a, b) => a.localeCompare(b, 'ru'));
}

await page(async () => {
  const params = new URLSearchParams(location.search);
  const f = { months: params.get('months') || '12', district: params.get('district') || '', school: params.get('school') || '' };
  const months = h('select', { id: 'months' }, [3, 6, 12, 24].map((m) => h('option', { value: m, selected: String(m) === f.months }, `${m} мес.`)));
  const district = h('select', { id: 'district' }, h('option', { value: '' }, 'вся сеть'),
    (await districts()).map((d) => h('option', { value: d, selected: d === f.district }, d)));
  const school = h('input', { id: 'school', placeholder: 'все школы', value: f.school, maxlength: 64 });
  const form = h('form', { class: 'card row', 'aria-label': 'Фильтры' },
    h('div', { class: 'field' }, h('label', { for: 'months' }, 'Период'), months),
    h('div', { class: 'field' }, h('label', { for: 'district' }, 'Район'), district),
    h('div', { class: 'field' }, h('label', { for: 'school' }, 'Школа (код)'), school),
    h('button', { type: 'submit', class: 'primary' }, 'Показать'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(f, { months: months.value, district: district.value, school: school.value.trim() });
    const p = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    history.replaceState(null, '', `?${p}`);
    load(f);
  });
  clear($('#content'), form, h('div', { id: 'dash', 'aria-live': 'polite' }));
  await load(f);
}, ['admin', 'methodologist', 'librarian']);
