// A heat map as an HTML table: one row per subject, one column per grade,
// each cell coloured by its share and showing the share in words and the
// counts behind it, so that it reads without the colour too. The colour
// scale is five steps with a legend (the colours are classes in style.css,
// the CSP allows no inline style); every one keeps the ink at AA contrast.
import { h } from '/app.js';

export const steps = [
  { below: 0.5, text: 'меньше 50 %' },
  { below: 0.75, text: '50–74 %' },
  { below: 0.9, text: '75–89 %' },
  { below: 1, text: '90–99 %' },
  { below: Infinity, text: '100 % и больше' },
];

export const percent = (share) => (share === null || share === undefined ? '—' : `${Math.round(share * 100)} %`);
const colourOf = (share) => (share === null || share === undefined ? 'heat-none' : `heat-${steps.findIndex((s) => share < s.below)}`);

export function legend(title) {
  return h('div', { class: 'legend' }, h('span', { class: 'legend-title' }, title),
    h('ul', { role: 'list' }, steps.map((s, i) => h('li', {}, h('span', { class: `swatch heat-${i}` }), s.text)),
      h('li', {}, h('span', { class: 'swatch heat-none' }), 'нет учащихся')));
}

// rows: [{grade, subject, students, copies, share}]. Returns a table.
export function heatMap(id, caption, rows) {
  const grades = [...new Set(rows.map((r) => r.grade))].sort((a, b) => a - b);
  const subjects = [...new Set(rows.map((r) => r.subject))].sort((a, b) => a.localeCompare(b, 'ru'));
  const at = new Map(rows.map((r) => [`${r.subject}\u0000${r.grade}`, r]));
  const cell = (subject, grade) => {
    const r = at.get(`${subject}\u0000${grade}`);
    if (!r) return h('td', { class: 'heat empty' }, h('span', { class: 'sr-only' }, 'нет данных'));
    return h('td', { class: `heat ${colourOf(r.share)}`, 'data-grade': grade, 'data-subject': subject },
      h('span', { class: 'share' }, percent(r.share)),
      h('span', { class: 'counts' }, `${r.copies} / ${r.students}`));
  };
  return h('table', { class: 'heatmap', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Предмет'),
      grades.map((g) => h('th', { scope: 'col', class: 'num' }, `${g} кл.`)))),
    h('tbody', {}, subjects.map((s) => h('tr', {}, h('th', { scope: 'row' }, s), grades.map((g) => cell(s, g))))));
}
