// The library passport of a school (паспорт библиотеки): its equipment,
// reading room, staff and ИБЦ level, read and recorded as a new dated
// version (with the version it was read at, so that nobody's change is lost).
import { h, $, clear, api, page, problemText } from '/app.js';
import { field, values, say, onSubmit, schoolOptions } from '/forms.js';

const levels = [['none', 'нет'], ['pilot', 'пилотная площадка'], ['base_site', 'базовая площадка'], ['ibc', 'ИБЦ']];
const numbers = [['area_m2', 'Площадь, м²'], ['reading_room_seats', 'Мест в читальном зале'], ['computers', 'Компьютеров'],
  ['terminals', 'Терминалов'], ['printers', 'Принтеров'], ['scanners', 'Сканеров'], ['internet_mbps', 'Интернет, Мбит/с'],
  ['staff_count', 'Сотрудников библиотеки']];

async function show(school) {
  const r = await api('GET', `/api/v1/monitoring/schools/${encodeURIComponent(school)}/passport`);
  if (!r.ok && r.status !== 404) return clear($('#passport'), h('p', { class: 'result bad', role: 'alert' }, problemText(r).title, h('span', { class: 'detail' }, r.data?.detail || '')));
  const p = r.ok ? r.data : {};
  let version = r.ok ? p.version : null;
  const box = h('div', { id: 'passport-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'passport-form', novalidate: true },
    h('h2', {}, `Паспорт школы ${school}`),
    h('p', { id: 'passport-version' }, version ? `Версия ${version} от ${new Date(p.recorded_at).toLocaleString('ru-RU')}.` : 'Паспорт ещё не заполнен.'),
    h('div', { class: 'cols' },
      numbers.map(([n, l]) => field(n, l, 'number', { value: p[n], id: `pp-${n}`, attrs: { min: 0, step: n.endsWith('m2') || n.endsWith('mbps') ? 'any' : 1 } })),
      field('ibc_level', 'Уровень ИБЦ', 'select', { options: levels, value: p.ibc_level || 'none', id: 'pp-ibc_level' }),
      field('level_reached_on', 'Уровень достигнут (дата)', 'date', { value: p.level_reached_on, id: 'pp-level_reached_on' }),
      field('media_equipment', 'Оборудование медиатеки (через «;»)', 'text', { value: (p.media_equipment || []).join('; '), id: 'pp-media_equipment' })),
    field('projector', 'Есть проектор', 'check', { value: p.projector, id: 'pp-projector' }),
    field('note', 'Примечание', 'area', { value: p.note, id: 'pp-note' }),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Сохранить паспорт'));
  onSubmit(form, box, () => {
    const body = values(form, [...numbers.map(([n]) => n), 'ibc_level', 'level_reached_on', 'projector', 'note']);
    body.media_equipment = form.elements.media_equipment.value.split(';').map((s) => s.trim()).filter(Boolean);
    return api('PUT', `/api/v1/monitoring/schools/${encodeURIComponent(school)}/passport`, body,
      version ? { headers: { 'If-Match': `"${version}"` } } : {});
  }, async (res) => {
    version = res.data.version;
    $('#passport-version').textContent = `Версия ${version} от ${new Date(res.data.recorded_at).toLocaleString('ru-RU')}.`;
    say(box, true, 'Паспорт сохранён');
  });
  clear($('#passport'), form);
}

await page(async (me) => {
  const want = new URLSearchParams(location.search).get('school');
  clear($('#content'), h('div', { id: 'pick' }), h('div', { id: 'passport' }));
  if (me.role === 'librarian') return show(me.org);
  const pick = h('form', { class: 'row', id: 'pick-form', novalidate: true },
    field('school', 'Школа', 'select', { options: await schoolOptions(api), id: 'pick-school', value: want }),
    h('button', { type: 'submit' }, 'Открыть паспорт'));
  onSubmit(pick, null, async () => ({ ok: true }), () => show(pick.elements.school.value));
  clear($('#pick'), pick);
  if (want) await show(want);
}, ['admin', 'methodologist', 'librarian']);
