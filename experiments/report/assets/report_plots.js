// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): canvas plotting primitives: axes, ticks, scatter and line charts, legends, tooltips.
// ---------------------------------------------------------------- canvas plotting primitives
function contentWidth() {
  const app = document.getElementById("app");
  const w = app ? app.clientWidth - 40 : 1000;
  return Math.max(320, Math.min(1100, w));
}
function makeCanvas(w, h) {
  const dpr = window.devicePixelRatio || 1;
  const canvas = el("canvas", { width: Math.round(w * dpr), height: Math.round(h * dpr) });
  canvas.style.width = w + "px";
  canvas.style.height = h + "px";
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  ctx.font = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
  return { canvas, ctx };
}
function plotBox(kind, attrs) {
  return el("div", Object.assign({ class: "plot", "data-plot": kind, "data-points": 0 }, attrs || {}));
}
function emptyPlot(kind, message) {
  return plotBox(kind, { class: "plot plot-empty" }).appendChild(el("p", { class: "empty", text: message })).parentNode;
}
// A chart: plot box + canvas + inner frame rectangle.
function chart(kind, w, h, margins) {
  const root = plotBox(kind);
  const { canvas, ctx } = makeCanvas(w, h);
  root.append(canvas);
  const m = Object.assign({ l: 66, r: 16, t: 14, b: 44 }, margins || {});
  return { root, canvas, ctx, x: m.l, y: m.t, w: w - m.l - m.r, h: h - m.t - m.b };
}
function niceTicks(lo, hi, count, integer) {
  const span = hi - lo;
  if (!(span > 0) || !isFinite(span)) return [lo];
  let step = Math.pow(10, Math.floor(Math.log10(span / Math.max(1, count))));
  const err = (count / span) * step;
  if (err <= 0.15) step *= 10; else if (err <= 0.35) step *= 5; else if (err <= 0.75) step *= 2;
  if (integer) step = Math.max(1, Math.round(step));
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
function padDomain(lo, hi, frac, integer) {
  if (!isFinite(lo) || !isFinite(hi)) return [0, 1];
  if (lo === hi) { const d = Math.abs(lo) * 0.05 || (integer ? 1 : 0.5); return [lo - d, hi + d]; }
  const d = (hi - lo) * (frac === undefined ? 0.04 : frac);
  return [lo - d, hi + d];
}
// Draws grid, ticks, tick labels and axis titles; returns data->pixel mappings sx, sy.
function axes(c, xdom, ydom, xlabel, ylabel, opt) {
  opt = opt || {};
  const ctx = c.ctx;
  const sx = (v) => c.x + ((v - xdom[0]) / (xdom[1] - xdom[0])) * c.w;
  const sy = (v) => c.y + c.h - ((v - ydom[0]) / (ydom[1] - ydom[0])) * c.h;
  const xt = niceTicks(xdom[0], xdom[1], Math.max(2, c.w / (opt.small ? 60 : 90)), opt.xInteger);
  const yt = niceTicks(ydom[0], ydom[1], Math.max(2, c.h / (opt.small ? 30 : 45)));
  ctx.save();
  ctx.strokeStyle = "#ececec";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const v of xt) { const x = Math.round(sx(v)) + 0.5; ctx.moveTo(x, c.y); ctx.lineTo(x, c.y + c.h); }
  for (const v of yt) { const y = Math.round(sy(v)) + 0.5; ctx.moveTo(c.x, y); ctx.lineTo(c.x + c.w, y); }
  ctx.stroke();
  ctx.strokeStyle = "#9a9a9a";
  ctx.strokeRect(c.x + 0.5, c.y + 0.5, c.w, c.h);
  ctx.fillStyle = "#555";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  if (!opt.noXLabels) for (const v of xt) ctx.fillText(fmt(v), sx(v), c.y + c.h + 4);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  if (!opt.noYLabels) for (const v of yt) ctx.fillText(fmt(v), c.x - 5, sy(v));
  ctx.fillStyle = "#222";
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  if (xlabel) ctx.fillText(xlabel, c.x + c.w / 2, c.y + c.h + (opt.small ? 30 : 38));
  if (ylabel) {
    ctx.translate(opt.small ? 11 : 13, c.y + c.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(ylabel, 0, 0);
  }
  ctx.restore();
  return { sx, sy };
}
function clip(c) {
  c.ctx.save();
  c.ctx.beginPath();
  c.ctx.rect(c.x, c.y, c.w, c.h);
  c.ctx.clip();
}
// Mark size and opacity shrink as the number of points grows, so 100,000 points stay readable.
function markStyle(n) {
  if (n <= 2000) return { dot: 4, cross: 3, alpha: 0.75 };
  if (n <= 20000) return { dot: 3, cross: 2.5, alpha: 0.45 };
  return { dot: 2.2, cross: 2, alpha: 0.3 };
}
function drawCross(ctx, x, y, r) {
  ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
  ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r);
}
// Point marks inside chart frame c. Many points are blended into an ImageData in JS (far faster
// than 100,000 canvas calls) and drawn as one bitmap by flush(); few points use canvas calls.
class Marks {
  constructor(c, n) {
    this.c = c; this.ctx = c.ctx; this.bulk = n > 5000; this.path = false;
    if (this.bulk) {
      this.k = window.devicePixelRatio || 1;
      this.W = Math.max(1, Math.ceil(c.w * this.k)); this.H = Math.max(1, Math.ceil(c.h * this.k));
      this.img = new ImageData(this.W, this.H); this.d = this.img.data;
    }
  }
  colour(r, g, b, a) {
    this.end();
    this.r = r; this.g = g; this.b = b; this.a = a;
    if (!this.bulk) {
      this.ctx.fillStyle = this.ctx.strokeStyle = "rgba(" + r + "," + g + "," + b + "," + a + ")";
      this.ctx.lineWidth = 1.1; this.ctx.beginPath(); this.path = true;
    }
  }
  end() { if (this.path) { this.ctx.stroke(); this.path = false; } }
  dot(x, y, size) {
    if (!this.bulk) { this.ctx.fillRect(x - size / 2, y - size / 2, size, size); return; }
    const k = this.k, s = Math.max(1, Math.round(size * k));
    const x0 = Math.round((x - this.c.x) * k - s / 2), y0 = Math.round((y - this.c.y) * k - s / 2);
    for (let j = 0; j < s; j++) for (let i = 0; i < s; i++) this.blend(x0 + i, y0 + j);
  }
  cross(x, y, r) {
    if (!this.bulk) { drawCross(this.ctx, x, y, r); return; }
    const k = this.k, R = Math.max(1, Math.round(r * k));
    const cx = Math.round((x - this.c.x) * k), cy = Math.round((y - this.c.y) * k);
    for (let t = -R; t <= R; t++) { this.blend(cx + t, cy + t); if (t) this.blend(cx + t, cy - t); }
  }
  blend(x, y) { // source-over onto the (non-premultiplied) bitmap
    if (x < 0 || y < 0 || x >= this.W || y >= this.H) return;
    const d = this.d, o = (y * this.W + x) * 4, da = d[o + 3] / 255, a = this.a;
    const oa = a + da * (1 - a), f = a / oa, g = 1 - f;
    d[o] = this.r * f + d[o] * g; d[o + 1] = this.g * f + d[o + 1] * g; d[o + 2] = this.b * f + d[o + 2] * g; d[o + 3] = oa * 255;
  }
  flush() {
    this.end();
    if (!this.bulk) return;
    const oc = document.createElement("canvas");
    oc.width = this.W; oc.height = this.H;
    oc.getContext("2d").putImageData(this.img, 0, 0);
    this.ctx.save();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.drawImage(oc, Math.round(this.c.x * this.k), Math.round(this.c.y * this.k));
    this.ctx.restore();
  }
}
// Screen positions of drawn points, for nearest-point hover and click.
class Hits {
  constructor(cap) { this.x = new Float32Array(cap); this.y = new Float32Array(cap); this.id = new Int32Array(cap); this.n = 0; }
  add(x, y, id) {
    if (this.n === this.x.length) this.grow();
    this.x[this.n] = x; this.y[this.n] = y; this.id[this.n++] = id;
  }
  grow() {
    for (const k of ["x", "y", "id"]) { const a = new this[k].constructor(this[k].length * 2 + 16); a.set(this[k]); this[k] = a; }
  }
  nearest(mx, my, r) {
    let best = -1, bd = r * r;
    for (let k = 0; k < this.n; k++) {
      const dx = this.x[k] - mx, dy = this.y[k] - my, d = dx * dx + dy * dy;
      if (d <= bd) { bd = d; best = k; }
    }
    return best < 0 ? null : this.id[best];
  }
}
const tooltip = () => document.getElementById("tooltip");
function showTip(lines, cx, cy) {
  const t = tooltip();
  t.replaceChildren(...lines.map((l, k) => el("div", { class: k ? "" : "tip-head", text: l })));
  t.hidden = false;
  const r = t.getBoundingClientRect();
  let x = cx + 14, y = cy + 14;
  if (x + r.width > window.innerWidth - 4) x = cx - r.width - 14;
  if (y + r.height > window.innerHeight - 4) y = cy - r.height - 14;
  t.style.left = x + "px";
  t.style.top = y + "px";
}
function hideTip() { const t = tooltip(); if (t) t.hidden = true; }
// Handled synchronously: a nearest-point scan of 100,000 points takes well under a millisecond.
function attachHover(canvas, find, describe, click) {
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const k = find(ev.clientX - r.left, ev.clientY - r.top);
    if (k === null) { hideTip(); canvas.style.cursor = ""; return; }
    showTip(describe(k), ev.clientX, ev.clientY);
    canvas.style.cursor = click ? "pointer" : "";
  });
  canvas.addEventListener("mouseleave", hideTip);
  if (click) canvas.addEventListener("click", (ev) => {
    const r = canvas.getBoundingClientRect();
    const k = find(ev.clientX - r.left, ev.clientY - r.top);
    if (k !== null) { hideTip(); click(k); }
  });
}
function legend(items) {
  return el("div", { class: "legend" }, ...items.map((it) =>
    el("span", { class: "legend-item", title: it.title || null },
      el("span", { class: "swatch" + (it.dashed ? " swatch-dashed" : "") + (it.cross ? " swatch-cross" : ""), style: "--c:" + it.color }),
      it.label)));
}
// Lines (optionally step-shaped), an optional band, dashed horizontal reference lines; hover shows values.
function lineChart(kind, o) {
  const c = chart(kind, o.width, o.height || 300, o.margins);
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity, points = 0;
  const upd = (x, y) => { if (x < xlo) xlo = x; if (x > xhi) xhi = x; if (y < ylo) ylo = y; if (y > yhi) yhi = y; };
  for (const s of o.series) for (const [x, y] of s.pts) if (isFinite(x) && isFinite(y)) upd(x, y);
  if (o.band) for (let k = 0; k < o.band.xs.length; k++) { upd(o.band.xs[k], o.band.lo[k]); upd(o.band.xs[k], o.band.hi[k]); }
  for (const h of o.hlines || []) if (isFinite(h.y)) upd(xlo === Infinity ? 0 : xlo, h.y);
  const xdom = o.xDomain || padDomain(xlo, xhi, 0.02, o.xInteger);
  const ydom = o.yDomain || padDomain(ylo, yhi, 0.05);
  const { sx, sy } = axes(c, xdom, ydom, o.xlabel, o.ylabel, { xInteger: o.xInteger, small: o.small });
  const ctx = c.ctx;
  const hits = new Hits(256);
  clip(c);
  if (o.band) {
    // one polygon per run of finite values
    const b = o.band, ok = (k) => isFinite(b.lo[k]) && isFinite(b.hi[k]);
    ctx.fillStyle = b.color;
    for (let k = 0; k < b.xs.length;) {
      if (!ok(k)) { k++; continue; }
      let e = k;
      while (e + 1 < b.xs.length && ok(e + 1)) e++;
      ctx.beginPath();
      for (let j = k; j <= e; j++) ctx.lineTo(sx(b.xs[j]), sy(b.hi[j]));
      for (let j = e; j >= k; j--) ctx.lineTo(sx(b.xs[j]), sy(b.lo[j]));
      ctx.closePath();
      ctx.fill();
      k = e + 1;
    }
  }
  for (const h of o.hlines || []) {
    if (!isFinite(h.y)) continue;
    ctx.setLineDash([6, 4]); ctx.strokeStyle = h.color; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(c.x, sy(h.y)); ctx.lineTo(c.x + c.w, sy(h.y)); ctx.stroke();
    ctx.setLineDash([]); ctx.fillStyle = h.color; ctx.textAlign = "right"; ctx.textBaseline = "bottom";
    ctx.fillText(h.label + " " + fmt(h.y), c.x + c.w - 4, sy(h.y) - 2);
  }
  o.series.forEach((s, si) => {
    ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.6; ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    let started = false, py = 0;
    for (const [x, y] of s.pts) {
      if (!isFinite(x) || !isFinite(y)) { started = false; continue; } // a gap breaks the line
      const X = sx(x), Y = sy(y);
      if (!started) { ctx.moveTo(X, Y); started = true; } else { if (s.step) ctx.lineTo(X, py); ctx.lineTo(X, Y); }
      py = Y; points++;
      if (!s.noHover) hits.add(X, Y, si * 1e6 + hits.n);
    }
    if (s.extendTo !== undefined && started) ctx.lineTo(sx(s.extendTo), py);
    ctx.stroke();
    ctx.setLineDash([]);
    if (s.dots) { ctx.fillStyle = s.color; for (const [x, y] of s.pts) if (isFinite(x) && isFinite(y)) ctx.fillRect(sx(x) - 1.5, sy(y) - 1.5, 3, 3); }
  });
  ctx.restore();
  // hover: map hit back to its (series, point)
  const lookup = [];
  o.series.forEach((s, si) => { if (!s.noHover) for (const pt of s.pts) if (isFinite(pt[0]) && isFinite(pt[1])) lookup.push([si, pt]); });
  attachHover(c.canvas, (mx, my) => { const id = hits.nearest(mx, my, 8); return id === null ? null : id % 1e6; },
    (k) => { const [si, pt] = lookup[k]; return [o.series[si].label, (o.xlabel || "x") + ": " + fmt(pt[0]), (o.ylabel || "y") + ": " + fmt(pt[1])]; },
    o.onClick ? (k) => o.onClick(lookup[k][0], lookup[k][1]) : null);
  c.root.dataset.points = String(points);
  c.root.dataset.series = String(o.series.filter((s) => !s.aux && s.pts.length).length);
  if (o.legend) c.root.append(legend(o.series.filter((s) => !s.aux).map((s) => ({ color: s.color, label: s.label, dashed: !!s.dash }))));
  return c.root;
}
