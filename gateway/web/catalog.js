// Catalog search: words, filters, facets with counts, availability per hit.
// The query lives in the address (?q=...), so Back and a bookmark work.
import { h, $, clear, api, page, problemText, typeNames, fmtNum } from '/app.js';

const facetNames = { type: 'Вид', school: 'Школа', year: 'Год', language: 'Язык' };

function hit(r) {
  const hold = r.holdings || {};
  const avail = hold.available > 0
    ? h('span', { class: 'badge ok' }, `в наличии: ${hold.available} из ${hold.held}`)
    : h('span', { class: 'badge bad' }, hold.held ? `все ${hold.held} выданы` : 'нет экземпляров');
  return h('li', {},
    h('a', { href: `/record.html?id=${encodeURIComponent(r.id)}` }, r.title),
    h('div', { class: 'meta' },
      [r.authors?.join('; '), r.year, typeNames[r.type] || r.type].filter(Boolean).join(' · '), ' ', avail));
}

function facets(data, params) {
  return Object.entries(data.facets || {}).filter(([, v]) => v.length).map(([k, vals]) =>
    h('fieldset', { class: 'facet' }, h('legend', {}, facetNames[k] || k),
      vals.slice(0, 8).map((v, i) => {
        const id = `f-${k}-${i}`;
        const box = h('input', { type: 'checkbox', id, checked: params.get(k) === String(v.value) });
        box.addEventListener('change', () => {
          if (box.checked) params.set(k, v.value); else params.delete(k);
          params.delete('cursor');
          location.search = params.toString();
        });
        return h('label', { for: id }, box, `${k === 'type' ? typeNames[v.value] || v.value : v.value} (${fmtNum(v.count)})`);
      })));
}

await page(async () => {
  const params = new URLSearchParams(location.search);
  const q = h('input', { id: 'q', name: 'q', type: 'search', value: params.get('q') || '' });
  const avail = h('input', { type: 'checkbox', id: 'available', checked: params.get('available') === 'true' });
  const form = h('form', { role: 'search', class: 'card' },
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'q' }, 'Найти (название, автор, тема)'), q),
      h('label', { for: 'available', class: 'inline' }, avail, ' только в наличии'),
      h('button', { type: 'submit', class: 'primary' }, 'Искать'),
      h('a', { href: '/edit.html' }, 'Новая запись')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (avail.checked) p.set('available', 'true');
    location.search = p.toString();
  });
  const results = h('section', { id: 'results', 'aria-live': 'polite' });
  clear($('#content'), form, results);
  q.focus();
  const api_params = new URLSearchParams(params);
  api_params.set('limit', '20');
  const r = await api('GET', `/api/v1/catalog/records?${api_params}`);
  if (!r.ok) {
    const p = problemText(r);
    return clear(results, h('p', { class: 'result bad', role: 'alert' }, p.title, h('span', { class: 'detail' }, p.detail)));
  }
  const d = r.data;
  const next = d.next_cursor ? (() => {
    const p = new URLSearchParams(params);
    p.set('cursor', d.next_cursor);
    return h('a', { href: `?${p}` }, 'Следующая страница →');
  })() : null;
  clear(results, h('div', { class: 'layout' },
    h('aside', { 'aria-label': 'Уточнить' }, facets(d, params)),
    h('div', {},
      h('h2', {}, `Найдено: ${d.total_approximate ? '≈' : ''}${fmtNum(d.total)}`),
      d.showing_results_for ? h('p', { class: 'note' }, `Показаны результаты для «${d.showing_results_for}»`) : null,
      d.items.length ? h('ul', { class: 'hits' }, d.items.map(hit)) : h('p', {}, 'Ничего не найдено.'),
      next)));
});
