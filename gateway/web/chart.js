// Bar charts on a canvas, in plain code: axis with round steps, a bar and its
// value per point. The canvas is an image for assistive technology (role img
// with a summary); the numbers themselves are in the table beside it.
const INK = '#1b1f24', GRID = '#d5dae1', BAR = '#0b5cad', TARGET = '#a3141c';

function niceStep(max) {
  const raw = max / 5 || 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

export function barChart(canvas, labels, values, opts = {}) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600, hgt = canvas.clientHeight || 260;
  canvas.width = w * dpr;
  canvas.height = hgt * dpr;
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, hgt);
  const left = 56, right = 12, top = 16, bottom = 40;
  const nums = values.map((v) => (v === null || v === undefined ? 0 : Number(v)));
  const max = Math.max(...nums, opts.target || 0, 1);
  const step = niceStep(max);
  const top_v = Math.ceil(max / step) * step;
  const y = (v) => top + (hgt - top - bottom) * (1 - v / top_v);
  g.font = '12px system-ui, "DejaVu Sans", sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let v = 0; v <= top_v + 1e-9; v += step) {
    g.strokeStyle = GRID;
    g.beginPath();
    g.moveTo(left, y(v));
    g.lineTo(w - right, y(v));
    g.stroke();
    g.fillStyle = INK;
    g.fillText(Number(v.toFixed(6)).toLocaleString('ru-RU'), left - 6, y(v));
  }
  const slot = (w - left - right) / Math.max(nums.length, 1);
  g.textAlign = 'center';
  nums.forEach((v, i) => {
    const x = left + slot * i + slot * 0.15, bw = slot * 0.7;
    g.fillStyle = BAR;
    g.fillRect(x, y(v), bw, y(0) - y(v));
    g.fillStyle = INK;
    g.textBaseline = 'bottom';
    g.fillText(v.toLocaleString('ru-RU', { maximumFractionDigits: 2 }), x + bw / 2, y(v) - 2);
    g.textBaseline = 'top';
    g.fillText(labels[i], x + bw / 2, hgt - bottom + 6);
  });
  if (opts.target) {
    g.strokeStyle = TARGET;
    g.setLineDash([6, 4]);
    g.beginPath();
    g.moveTo(left, y(opts.target));
    g.lineTo(w - right, y(opts.target));
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = TARGET;
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    g.fillText(`цель ${opts.target.toLocaleString('ru-RU')}`, left + 4, y(opts.target) - 2);
  }
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${opts.title}: ` + labels.map((l, i) => `${l} — ${nums[i]}`).join('; '));
}
