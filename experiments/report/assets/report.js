// tandem report page: renders the experiments of a trial database from the JSON document inlined by
// `tandem report`, or fetched live from the `tandem dashboard` API. Hand-written, no libraries.
"use strict";
(function () {
  const T0 = performance.now();
  const body = document.body;

  // ---------------------------------------------------------------- error and ready hooks (tested)
  const errorMessages = [];
  function noteError(msg) {
    errorMessages.push(String(msg));
    body.dataset.errors = String(errorMessages.length);
    body.dataset.errorMessages = errorMessages.join("\n");
  }
  body.dataset.errors = "0";
  body.dataset.errorMessages = "";
  window.onerror = function (msg, src, line, col) {
    noteError(msg + (line ? " (line " + line + ":" + col + ")" : ""));
  };
  window.addEventListener("unhandledrejection", function (ev) {
    const r = ev.reason;
    noteError("unhandled rejection: " + (r && r.message ? r.message : String(r)));
  });
  function errorBox(where, e) {
    noteError(where + ": " + (e && e.stack ? e.stack.split("\n").slice(0, 2).join(" ") : String(e)));
    return el("div", { class: "error-box", text: "Error while drawing " + where + ": " + (e && e.message ? e.message : String(e)) });
  }
  // Runs fn(); an exception is counted and shown as a red box in `into` instead of the content.
  function guard(into, where, fn) {
    try {
      return fn();
    } catch (e) {
      if (into) into.append(errorBox(where, e));
      else noteError(where + ": " + e);
      return null;
    }
  }
  let readyDone = false;
  function markReady() {
    if (readyDone) return;
    readyDone = true;
    body.dataset.renderMs = String(Math.round(performance.now() - T0));
    body.dataset.pageMs = String(Math.round(performance.now()));
    body.dataset.ready = "1";
  }

  // ---------------------------------------------------------------- small DOM and number helpers
  // el(tag, props, ...children): strings become text nodes; data only ever goes through text/attributes.
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    if (props) {
      for (const k in props) {
        const v = props[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") e.textContent = String(v);
        else if (k === "class") e.className = v;
        else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const kid of kids) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(typeof kid === "string" || typeof kid === "number" ? document.createTextNode(String(kid)) : kid);
    }
    return e;
  }
  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function toNum(v) {
    if (typeof v === "number") return v;
    if (v === "inf" || v === "+inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return NaN; // null, "nan", anything else
  }
  // 6 significant digits, no trailing zeros; "nan"/"inf" spelled out; null -> "".
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "string") return v;
    if (v !== v) return "nan";
    if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e-5 && a < 1e12) return String(Number(v.toPrecision(6)));
    return v.toPrecision(6).replace(/\.?0+e/, "e");
  }
  function fmtInt(v) {
    return typeof v === "number" && isFinite(v) ? Math.round(v).toLocaleString("en-US") : fmt(v);
  }
  function fmtTime(s) {
    if (!s) return "";
    const d = new Date(s);
    return isNaN(d) ? String(s) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
  }
  function clock(d) {
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, "0")).join(":");
  }
  function truncate(s, n) {
    s = String(s == null ? "" : s);
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }
  function axisLabel(metric, dir) {
    return dir ? metric + " (" + dir + ")" : metric;
  }

  // Colours: Okabe–Ito (colour-blind safe), extended with a few of Tol's for more series.
  const ACCENT = "#0072B2";
  const BAD = "#d1241b";
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
    "#882255", "#44AA99", "#999933", "#AA4499", "#F0E442"];
  const FIXED_OP_COLOURS = {
    none: "#b0b0b0", skip_connect: "#E69F00", nor_conv_1x1: "#56B4E9", nor_conv_3x3: "#0072B2",
    avg_pool_3x3: "#009E73", max_pool_3x3: "#CC79A7", sep_conv_3x3: "#D55E00", sep_conv_5x5: "#882255",
    dil_conv_3x3: "#44AA99", dil_conv_5x5: "#999933", identity: "#E69F00", zero: "#b0b0b0",
  };
  const COMPONENT_COLOURS = { mac: "#0072B2", rf: "#56B4E9", noc: "#009E73", sram: "#E69F00", dram: "#D55E00" };
  const dynamicColours = new Map();
  function colourFor(fixed, name) {
    if (Object.prototype.hasOwnProperty.call(fixed, name)) return fixed[name];
    if (!dynamicColours.has(name)) dynamicColours.set(name, PALETTE[(dynamicColours.size + 7) % PALETTE.length]);
    return dynamicColours.get(name);
  }
  const opColour = (op) => colourFor(FIXED_OP_COLOURS, op);
  const componentColour = (c) => colourFor(COMPONENT_COLOURS, c);
  const seriesColour = (k) => PALETTE[k % PALETTE.length];

  // ---------------------------------------------------------------- the document and experiment model
  const STATES = ["COMPLETE", "PRUNED", "INFEASIBLE", "FAILED", "RUNNING"];
  const STATE_CLASS = { COMPLETE: "st-complete", PRUNED: "st-pruned", INFEASIBLE: "st-infeasible", FAILED: "st-failed", RUNNING: "st-running" };
  let doc = null;
  const live = { on: false, pollMs: 2000, overview: null, exps: new Map(), lastUpdate: null, failed: false, nextRefresh: 0, refreshStarted: 0 };
  const prepCache = new WeakMap();

  function loadDocument() {
    const node = document.getElementById("tandem-data");
    const d = JSON.parse(node ? node.textContent : "{}");
    if (!d || typeof d !== "object") throw new Error("the data document is not a JSON object");
    if (!Array.isArray(d.experiments)) d.experiments = [];
    return d;
  }

  // Column-oriented typed views of one experiment's trials, built once per experiment object.
  function prep(exp) {
    let p = prepCache.get(exp);
    if (p) return p;
    const t = exp.trials || {};
    const numbers = t.number || [];
    const n = numbers.length;
    const number = new Float64Array(n);
    const byNumber = new Map();
    let sorted = true;
    for (let i = 0; i < n; i++) {
      number[i] = numbers[i];
      byNumber.set(numbers[i], i);
      if (i && number[i] < number[i - 1]) sorted = false;
    }
    // indices in trial-number order, only when the columns are not already in that order
    const order = sorted ? null : Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => number[a] - number[b]);
    const stateNames = STATES.slice();
    const stateCode = new Uint8Array(n);
    const states = t.state || [];
    for (let i = 0; i < n; i++) {
      let c = stateNames.indexOf(states[i]);
      if (c < 0) { stateNames.push(String(states[i])); c = stateNames.length - 1; }
      stateCode[i] = c;
    }
    const raw = t.values || {};
    const metrics = [];
    for (const m of exp.metrics || []) if (metrics.indexOf(m) < 0) metrics.push(m);
    for (const m of Object.keys(raw)) if (metrics.indexOf(m) < 0) metrics.push(m);
    for (const o of exp.objectives || []) if (metrics.indexOf(o.metric) < 0) metrics.push(o.metric);
    const vals = {};
    for (const m of metrics) {
      const src = raw[m] || [];
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = toNum(src[i]);
      vals[m] = a;
    }
    const frontSet = new Set(exp.front || []);
    const inFront = new Uint8Array(n);
    for (const f of frontSet) { const i = byNumber.get(f); if (i !== undefined) inFront[i] = 1; }
    const dirs = {};
    for (const o of exp.objectives || []) dirs[o.metric] = o.direction;
    p = { n, number, byNumber, order, stateNames, stateCode, metrics, vals, raw, inFront, dirs, t };
    prepCache.set(exp, p);
    return p;
  }
  const S_COMPLETE = 0, S_INFEASIBLE = 2;
  function forEachInOrder(p, fn) {
    if (p.order) for (let k = 0; k < p.n; k++) fn(p.order[k]);
    else for (let i = 0; i < p.n; i++) fn(i);
  }

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

  // ---------------------------------------------------------------- routing
  function dec(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
  function parseHash() {
    const h = location.hash.replace(/^#/, "");
    const q = h.indexOf("?");
    const path = q < 0 ? h : h.slice(0, q);
    const params = {};
    for (const kv of (q < 0 ? "" : h.slice(q + 1)).split("&")) {
      if (!kv) continue;
      const eq = kv.indexOf("=");
      params[dec(eq < 0 ? kv : kv.slice(0, eq))] = eq < 0 ? "" : dec(kv.slice(eq + 1));
    }
    return { parts: path.split("/").filter(Boolean).map(dec), params };
  }
  function hashFor(parts, params) {
    const enc = (s) => encodeURIComponent(String(s)).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
    const qs = Object.keys(params || {}).filter((k) => params[k] !== null && params[k] !== undefined && params[k] !== "")
      .map((k) => enc(k) + "=" + enc(params[k])).join("&");
    return "#/" + parts.map(enc).join("/") + (qs ? "?" + qs : "");
  }
  function setParams(changes) {
    const r = parseHash();
    location.hash = hashFor(r.parts, Object.assign({}, r.params, changes));
  }
  const trialHref = (id, number) => hashFor(["trial", id, number]);
  const expHref = (id) => hashFor(["experiment", id]);
  function navigate(h) { location.hash = h; }

  let current = null; // {key, update(params)}
  let scrollBeforeRender = 0; // restored after a live refresh or a resize
  let renderSerial = 0;
  function route(keepScroll) {
    const r = parseHash();
    const key = r.parts.join("/");
    if (!keepScroll && current && current.key === key && current.update) {
      guard(document.getElementById("app"), "page update", () => current.update(r.params));
      return;
    }
    const serial = ++renderSerial;
    scrollBeforeRender = window.scrollY;
    const app = document.getElementById("app");
    hideTip();
    const view = r.parts[0] === "experiment" ? experimentView
      : r.parts[0] === "trial" ? trialView
        : r.parts[0] === "compare" ? compareView : overviewView;
    const done = (res) => {
      if (serial !== renderSerial) return;
      if (res === KEEP && current && current.key === key) { markReady(); return; }
      if (keepScroll && live.on) live.nextRefresh = performance.now() + 3 * (performance.now() - live.refreshStarted);
      current = Object.assign({ key }, res || {});
      if (keepScroll) window.scrollTo(0, scrollBeforeRender); else if (!readyDone) { /* keep initial position */ } else window.scrollTo(0, 0);
      markReady();
    };
    let res;
    try {
      res = view(r.parts, r.params, app, keepScroll);
    } catch (e) {
      app.replaceChildren(errorBox("page", e));
      done(null);
      return;
    }
    if (res && typeof res.then === "function") {
      res.then(done, (e) => { if (serial === renderSerial) { app.replaceChildren(errorBox("page", e)); done(null); } });
    } else done(res);
  }
  function page(app, ...kids) {
    const root = el("div", { class: "page" }, ...kids);
    app.replaceChildren(root);
    return root;
  }
  function loading(app, what) { page(app, el("p", { class: "empty", text: "loading " + what + "…" })); }

  // ---------------------------------------------------------------- data access (report or live)
  class FetchError extends Error {
    constructor(message, status) { super(message); this.status = status || 0; }
  }
  async function fetchJSON(url) {
    let res;
    try {
      res = await fetch(url, { cache: "no-store" });
    } catch (e) {
      throw new FetchError("network: " + e.message);
    }
    if (!res.ok) throw new FetchError(url + ": HTTP " + res.status, res.status);
    return res.json();
  }
  function banner(msg) {
    const b = document.getElementById("banner");
    b.textContent = msg || "";
    b.hidden = !msg;
  }
  function overviewList() { return live.on ? live.overview || [] : doc.experiments; }
  function findMeta(id) { return overviewList().find((e) => String(e.id) === String(id)) || null; }
  // Full experiment object: synchronous in a report, a promise in the dashboard.
  function getExperiment(id, refresh) {
    if (!live.on) return doc.experiments.find((e) => String(e.id) === String(id)) || null;
    const c = live.exps.get(String(id));
    const meta = findMeta(id);
    if (c && !refresh && !(meta && changed(meta))) return Promise.resolve(c.exp);
    return fetchJSON("api/experiment/" + encodeURIComponent(id)).then((exp) => {
      live.exps.set(String(id), { exp, trial_count: meta ? meta.trial_count : exp.trial_count, last_finished: meta ? meta.last_finished : null });
      return exp;
    });
  }
  // Call fn with the value, now if it is plain, later if it is a promise (fetch errors -> banner + note).
  // `quiet` (a live refresh) keeps the old content on screen until the new data is there.
  function withValue(v, app, what, fn, quiet) {
    if (!v || typeof v.then !== "function") return fn(v);
    if (!quiet) loading(app, what);
    return v.then((value) => { scrollBeforeRender = window.scrollY; return fn(value); }, (e) => {
      if (!(e instanceof FetchError)) throw e;
      if (e.status === 404) { // the server answered: nothing to retry
        page(app, el("p", { class: "empty", text: "The dashboard has no " + what + "." }));
        return null;
      }
      live.failed = true;
      banner("lost connection to tandem dashboard");
      renderHeader();
      scheduleRetry();
      if (quiet) return KEEP; // a failed refresh leaves the page as it was
      page(app, el("p", { class: "empty", text: "Could not load " + what + " (" + e.message + "); retrying." }));
      return null;
    });
  }
  const KEEP = { keep: true };
  let retryTimer = 0;
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = 0; route(true); }, live.pollMs);
  }

  // ---------------------------------------------------------------- header
  function renderHeader() {
    document.getElementById("top-db").textContent = doc.database ? String(doc.database) : "";
    const t = document.getElementById("top-time");
    if (live.on) {
      t.textContent = "live" + (live.lastUpdate ? " · updated " + clock(live.lastUpdate) : "");
      t.classList.add("is-live");
      t.classList.toggle("is-down", live.failed);
    } else t.textContent = doc.generated ? "generated " + fmtTime(doc.generated) : "";
  }

  // ---------------------------------------------------------------- overview
  function overviewView(parts, params, app) {
    const list = overviewList();
    const root = page(app, el("h1", { text: "Experiments" }));
    if (live.on && !live.overview) root.append(el("p", { class: "empty", text: "waiting for the dashboard…" }));
    else if (!list.length) root.append(el("p", { class: "empty", text: "This database has no experiments yet." }));
    else guard(root, "experiment list", () => root.append(overviewTable(list)));
    if (list.length >= 2) {
      root.append(el("p", { class: "compare-link" }, el("a", { href: "#/compare", text: "Compare experiments →" }),
        " anytime curves of several experiments (or seeds) on one objective, with a 95 % confidence band."));
    }
    return null;
  }
  function overviewTable(list) {
    const head = ["experiment", "status", "space · strategy"].concat(STATES.map((s) => s.toLowerCase()), ["trials", "best", "hypervolume"]);
    const tb = el("tbody");
    for (const e of list) {
      const counts = e.counts || {};
      const best = el("td", { class: "best" });
      for (const o of e.objectives || []) {
        const v = e.best ? e.best[o.metric] : undefined;
        best.append(el("div", null, el("span", { class: "muted", text: axisLabel(o.metric, o.direction) }), " ", v === undefined || v === null ? "—" : fmt(v)));
      }
      tb.append(el("tr", null,
        el("td", null, el("a", { href: expHref(e.id), text: e.name || "experiment " + e.id })),
        el("td", null, statusBadge(e.status)), el("td", { class: "space", text: (e.space || "?") + " · " + (e.strategy || "?") }),
        ...STATES.map((s) => el("td", { class: "num" + (counts[s] ? "" : " zero"), text: String(counts[s] || 0) })),
        el("td", { class: "num", text: String(e.trial_count || 0) }), best,
        el("td", { class: "num", text: e.hypervolume === null || e.hypervolume === undefined ? "—" : fmt(e.hypervolume) })));
    }
    return el("div", { class: "table-wrap" }, el("table", { class: "data overview" },
      el("thead", null, el("tr", null, ...head.map((h, k) => el("th", { class: k >= 3 && k < 9 ? "num" : k === 10 ? "num" : null, text: h })))), tb));
  }
  function statusBadge(s) {
    const known = { finished: "ok", running: "run", failed: "bad", interrupted: "bad" };
    return el("span", { class: "badge badge-" + (known[s] || "other"), text: s || "unknown" });
  }

  // ---------------------------------------------------------------- experiment page
  const uiState = new Map(); // per experiment id: UI choices kept across live refreshes
  function ui(id) { if (!uiState.has(String(id))) uiState.set(String(id), {}); return uiState.get(String(id)); }

  function experimentView(parts, params, app, quiet) {
    const id = parts[1];
    return withValue(getExperiment(id), app, "experiment " + id, (exp) => {
      if (!exp) { page(app, el("p", { class: "empty", text: "There is no experiment with id " + id + " in this database." })); return null; }
      return renderExperiment(exp, params, app);
    }, quiet);
  }
  function section(id, title, ...kids) {
    return el("section", { id: "sec-" + id, class: "sec" }, el("h2", { text: title }), ...kids);
  }
  function renderExperiment(exp, params, app) {
    const t0 = performance.now();
    const p = prep(exp);
    body.dataset.prepMs = String(Math.round(performance.now() - t0));
    const W = contentWidth();
    const objs = exp.objectives || [];
    const root = page(app);
    root.append(el("h1", null, el("span", { class: "muted", text: "experiment " + exp.id + " · " }), exp.name || ""));
    const nav = el("nav", { class: "subnav" });
    root.append(nav);
    const sections = [];
    const add = (id, title, build) => {
      const s = section(id, title);
      root.append(s);
      sections.push([id, title]);
      const t0 = performance.now();
      guard(s, title, () => build(s));
      s.dataset.renderMs = String(Math.round(performance.now() - t0)); // how long this section took to draw
    };
    add("summary", "Summary", (s) => s.append(summary(exp, p)));
    add("history", "Optimization history", (s) => s.append(historyPlots(exp, p, W)));
    if (objs.length === 2) add("pareto", "Pareto front", (s) => s.append(paretoPlot(exp, p, W)));
    else if (objs.length >= 3) add("pareto", "Pareto front (scatter matrix)", (s) => s.append(scatterMatrix(exp, p, W)));
    if ((exp.hypervolume_history || []).length) add("hypervolume", "Hypervolume", (s) => s.append(hypervolumePlot(exp, W)));
    if (exp.intermediate && Object.keys(exp.intermediate).length) add("curves", "Learning curves", (s) => learningCurves(exp, s, W));
    if (exp.search_trajectory) add("alpha", "Architecture weights (α) over epochs", (s) => s.append(alphaPlot(exp.search_trajectory, W)));
    let table = null;
    add("trials", "Trials", (s) => { table = trialTable(exp, p, params); s.append(table.root); });
    for (const [id, title] of sections) {
      nav.append(el("a", {
        href: expHref(exp.id), text: title.replace(/ \(.*\)$/, ""),
        onclick: (ev) => { ev.preventDefault(); document.getElementById("sec-" + id).scrollIntoView({ behavior: "smooth" }); },
      }));
    }
    return { update: (prm) => { if (table) table.update(prm); } };
  }
  function summary(exp, p) {
    const counts = exp.counts || {};
    const dl = el("dl", { class: "kv" });
    const kv = (k, v) => { dl.append(el("dt", { text: k }), el("dd", null, v)); };
    kv("status", statusBadge(exp.status));
    kv("space · strategy", (exp.space || "?") + " · " + (exp.strategy || "?") + (exp.seed !== undefined && exp.seed !== null ? " · seed " + exp.seed : ""));
    if (exp.created) kv("created", fmtTime(exp.created));
    kv("trials", el("span", null, String(exp.trial_count !== undefined ? exp.trial_count : p.n) + "  ",
      ...STATES.map((s) => el("span", { class: "chip " + STATE_CLASS[s] + (counts[s] ? "" : " zero"), text: s.toLowerCase() + " " + (counts[s] || 0) }))));
    const ob = el("span");
    for (const o of exp.objectives || []) {
      const b = exp.best ? exp.best[o.metric] : undefined;
      ob.append(el("span", { class: "objective" }, el("b", { text: o.metric }), " " + (o.direction || "") + (b !== undefined && b !== null ? " · best " + fmt(b) : "")));
    }
    kv("objectives", ob);
    if ((exp.objectives || []).length >= 2) {
      kv("hypervolume", exp.hypervolume === null || exp.hypervolume === undefined ? "—" : fmt(exp.hypervolume));
      kv("reference point", exp.reference_point ? "(" + exp.reference_point.map(fmt).join(", ") + ")" : "—");
      kv("Pareto front", String((exp.front || []).length) + " trials");
    }
    if (exp.optimum && Object.keys(exp.optimum).length) kv("known optimum", Object.keys(exp.optimum).map((k) => k + " " + fmt(exp.optimum[k])).join(", "));
    const wrap = el("div", null, dl);
    if (exp.config) {
      const st = ui(exp.id);
      const det = el("details", { class: "config", open: !!st.configOpen }, el("summary", { text: "configuration" }), el("pre", { text: exp.config }));
      det.addEventListener("toggle", () => { st.configOpen = det.open; });
      wrap.append(det);
    }
    return wrap;
  }

  // --- optimization history: one canvas per objective
  function historyPlots(exp, p, W) {
    const objs = exp.objectives || [];
    const cols = objs.length === 3 ? 3 : Math.min(2, Math.max(1, objs.length));
    const grid = el("div", { class: "grid", style: "grid-template-columns: repeat(" + cols + ", 1fr)" });
    const w = Math.floor((W - 16 * (cols - 1)) / cols);
    if (!objs.length) grid.append(el("p", { class: "empty", text: "This experiment has no objectives." }));
    for (const o of objs) guard(grid, "history of " + o.metric, () => grid.append(historyPlot(exp, p, o, w)));
    return grid;
  }
  function historyPlot(exp, p, o, w) {
    const v = p.vals[o.metric];
    const max = o.direction === "max";
    let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity, any = false;
    for (let i = 0; i < p.n; i++) {
      const x = p.number[i];
      if (x < xlo) xlo = x; if (x > xhi) xhi = x;
      const s = p.stateCode[i], y = v[i];
      if ((s === S_COMPLETE || s === S_INFEASIBLE) && isFinite(y)) { any = true; if (y < ylo) ylo = y; if (y > yhi) yhi = y; }
    }
    if (!any) return emptyPlot("history", "no complete trial has " + o.metric + " yet");
    const c = chart("history", w, 280);
    const { sx, sy } = axes(c, padDomain(xlo, xhi, 0.02, true), padDomain(ylo, yhi, 0.06), "trial number", axisLabel(o.metric, o.direction), { xInteger: true });
    const ctx = c.ctx;
    const hits = new Hits(Math.min(p.n, 1 << 16));
    clip(c);
    let dots = 0, crosses = 0;
    const ms = markStyle(p.n), mk = new Marks(c, p.n);
    mk.colour(209, 36, 27, Math.min(0.9, ms.alpha + 0.15));
    for (let i = 0; i < p.n; i++) {
      if (p.stateCode[i] !== S_INFEASIBLE || !isFinite(v[i])) continue;
      const X = sx(p.number[i]), Y = sy(v[i]);
      mk.cross(X, Y, ms.cross); crosses++; hits.add(X, Y, i);
    }
    mk.colour(0, 114, 178, ms.alpha);
    for (let i = 0; i < p.n; i++) {
      if (p.stateCode[i] !== S_COMPLETE || !isFinite(v[i])) continue;
      const X = sx(p.number[i]), Y = sy(v[i]);
      mk.dot(X, Y, ms.dot); dots++; hits.add(X, Y, i);
    }
    mk.flush();
    // best-so-far step line over complete trials, in trial-number order
    let best = NaN, lastY = 0, started = false;
    ctx.strokeStyle = "#222"; ctx.lineWidth = 1.8; ctx.beginPath();
    forEachInOrder(p, (i) => {
      if (p.stateCode[i] !== S_COMPLETE || !isFinite(v[i])) return;
      if (best === best && (max ? v[i] <= best : v[i] >= best)) return;
      best = v[i];
      const X = sx(p.number[i]), Y = sy(best);
      if (!started) { ctx.moveTo(X, Y); started = true; } else { ctx.lineTo(X, lastY); ctx.lineTo(X, Y); }
      lastY = Y;
    });
    if (started) ctx.lineTo(sx(xhi), lastY);
    ctx.stroke();
    ctx.restore();
    attachHover(c.canvas, (mx, my) => hits.nearest(mx, my, 7), (i) => trialTip(exp, p, i), (i) => navigate(trialHref(exp.id, p.number[i])));
    c.root.dataset.points = String(dots + crosses);
    c.root.dataset.infeasiblePoints = String(crosses);
    c.root.dataset.metric = o.metric;
    c.root.append(legend([{ color: "rgba(0,114,178,0.7)", label: "complete" }, { color: BAD, label: "infeasible", cross: true },
      { color: "#222", label: "best so far (" + (o.direction || "min") + ")" }]));
    return c.root;
  }
  function trialTip(exp, p, i) {
    const lines = ["trial " + p.number[i] + " · " + p.stateNames[p.stateCode[i]].toLowerCase() + (p.inFront[i] ? " · Pareto front" : "")];
    for (const o of exp.objectives || []) lines.push(o.metric + ": " + fmt(p.vals[o.metric][i]));
    return lines;
  }

  // --- Pareto view: 2 objectives
  // category per trial: 0 not drawn, 1 dominated complete, 2 front, 3 infeasible
  function classify(p, metrics) {
    const cat = new Uint8Array(p.n);
    const cols = metrics.map((m) => p.vals[m]);
    for (let i = 0; i < p.n; i++) {
      const s = p.stateCode[i];
      if (s !== S_COMPLETE && s !== S_INFEASIBLE) continue;
      let ok = true;
      for (const col of cols) if (!isFinite(col[i])) { ok = false; break; }
      if (!ok) continue;
      cat[i] = s === S_INFEASIBLE ? 3 : p.inFront[i] ? 2 : 1;
    }
    return cat;
  }
  function extentOf(col, cat) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < col.length; i++) if (cat[i] && isFinite(col[i])) { if (col[i] < lo) lo = col[i]; if (col[i] > hi) hi = col[i]; }
    return [lo, hi];
  }
  function drawPoints(c, cat, X, Y, sx, sy, hits, counts) {
    const ctx = c.ctx, ms = markStyle(cat.length), mk = new Marks(c, cat.length);
    mk.colour(209, 36, 27, Math.min(0.9, ms.alpha + 0.15));
    for (let i = 0; i < cat.length; i++) if (cat[i] === 3) { const x = sx(X[i]), y = sy(Y[i]); mk.cross(x, y, ms.cross); hits.add(x, y, i); counts[3]++; }
    mk.colour(120, 120, 120, ms.alpha);
    for (let i = 0; i < cat.length; i++) if (cat[i] === 1) { const x = sx(X[i]), y = sy(Y[i]); mk.dot(x, y, ms.dot); hits.add(x, y, i); counts[1]++; }
    mk.flush();
    ctx.fillStyle = ACCENT; ctx.strokeStyle = "#fff"; ctx.lineWidth = 1;
    for (let i = 0; i < cat.length; i++) if (cat[i] === 2) {
      const x = sx(X[i]), y = sy(Y[i]);
      ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      hits.add(x, y, i); counts[2]++;
    }
  }
  function paretoPlot(exp, p, W) {
    const [ox, oy] = exp.objectives;
    const X = p.vals[ox.metric], Y = p.vals[oy.metric];
    const cat = classify(p, [ox.metric, oy.metric]);
    const ex = extentOf(X, cat), ey = extentOf(Y, cat);
    if (!isFinite(ex[0])) return emptyPlot("pareto", "no complete trial has both " + ox.metric + " and " + oy.metric + " yet");
    const c = chart("pareto", W, Math.round(Math.min(520, W * 0.5)));
    const { sx, sy } = axes(c, padDomain(ex[0], ex[1]), padDomain(ey[0], ey[1]), axisLabel(ox.metric, ox.direction), axisLabel(oy.metric, oy.direction));
    const ctx = c.ctx;
    const hits = new Hits(Math.min(p.n, 1 << 16));
    const counts = [0, 0, 0, 0];
    clip(c);
    // front staircase (attainment surface), direction aware: corners take the worse value of each pair
    const front = [];
    for (let i = 0; i < p.n; i++) if (cat[i] === 2) front.push(i);
    front.sort((a, b) => X[a] - X[b] || Y[a] - Y[b]);
    if (front.length > 1) {
      const worseX = (a, b) => (ox.direction === "max" ? Math.min(a, b) : Math.max(a, b));
      const worseY = (a, b) => (oy.direction === "max" ? Math.min(a, b) : Math.max(a, b));
      ctx.strokeStyle = "rgba(0,114,178,0.7)"; ctx.lineWidth = 1.5; ctx.beginPath();
      ctx.moveTo(sx(X[front[0]]), sy(Y[front[0]]));
      for (let k = 1; k < front.length; k++) {
        const a = front[k - 1], b = front[k];
        ctx.lineTo(sx(worseX(X[a], X[b])), sy(worseY(Y[a], Y[b])));
        ctx.lineTo(sx(X[b]), sy(Y[b]));
      }
      ctx.stroke();
    }
    drawPoints(c, cat, X, Y, sx, sy, hits, counts);
    ctx.restore();
    attachHover(c.canvas, (mx, my) => hits.nearest(mx, my, 7), (i) => trialTip(exp, p, i), (i) => navigate(trialHref(exp.id, p.number[i])));
    setCounts(c.root, counts);
    c.root.append(paretoLegend());
    return c.root;
  }
  function setCounts(root, counts) {
    root.dataset.points = String(counts[1] + counts[2] + counts[3]);
    root.dataset.frontPoints = String(counts[2]);
    root.dataset.dominatedPoints = String(counts[1]);
    root.dataset.infeasiblePoints = String(counts[3]);
  }
  function paretoLegend() {
    return legend([{ color: ACCENT, label: "Pareto front" }, { color: "#999", label: "dominated" }, { color: BAD, label: "infeasible", cross: true }]);
  }

  // --- Pareto view: 3–4 objectives as a scatter matrix (points counted once per trial)
  function scatterMatrix(exp, p, W) {
    const objs = exp.objectives.slice(0, 4);
    const k = objs.length;
    const ms = objs.map((o) => o.metric);
    const cat = new Uint8Array(p.n);
    // per-trial category: drawn if any pair is finite; classified by state/front
    const pairCats = [];
    for (let r = 0; r < k; r++) for (let q = 0; q < k; q++) if (r !== q) pairCats.push([r, q, classify(p, [ms[q], ms[r]])]);
    for (const [, , pc] of pairCats) for (let i = 0; i < p.n; i++) if (pc[i]) cat[i] = pc[i];
    const doms = ms.map((m) => { const e = extentOf(p.vals[m], cat); return padDomain(e[0], e[1], 0.06); });
    if (!cat.some((x) => x)) return emptyPlot("scatter-matrix", "no complete trial has values for two objectives yet");
    const left = 58, bottom = 40, size = Math.min(250, Math.floor((W - left - 8) / k));
    const root = plotBox("scatter-matrix");
    const { canvas, ctx } = makeCanvas(left + size * k + 8, size * k + bottom + 12);
    root.append(canvas);
    const panels = [];
    const counts = [0, 0, 0, 0];
    let panelPoints = 0;
    for (let r = 0; r < k; r++) {
      for (let q = 0; q < k; q++) {
        const c = { ctx, x: left + q * size + 4, y: 10 + r * size + 4, w: size - 8, h: size - 8 };
        const flags = { small: true, noXLabels: r !== k - 1, noYLabels: q !== 0 };
        if (r === q) { // metric name; its tick labels still go on the outer edges of the matrix
          axes(c, doms[q], doms[r], null, null, flags);
          ctx.fillStyle = "#fafafa"; ctx.fillRect(c.x + 1, c.y + 1, c.w - 1, c.h - 1);
          ctx.fillStyle = "#222"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
          ctx.font = "600 13px system-ui, sans-serif"; ctx.fillText(ms[r], c.x + c.w / 2, c.y + c.h / 2 - 8);
          ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#666"; ctx.fillText("(" + (objs[r].direction || "") + ")", c.x + c.w / 2, c.y + c.h / 2 + 10);
          continue;
        }
        const { sx, sy } = axes(c, doms[q], doms[r], null, null, flags);
        const pc = pairCats.find((t) => t[0] === r && t[1] === q)[2];
        const hits = new Hits(256);
        const pcount = [0, 0, 0, 0];
        clip(c);
        drawPoints(c, pc, p.vals[ms[q]], p.vals[ms[r]], sx, sy, hits, pcount);
        ctx.restore();
        panelPoints += pcount[1] + pcount[2] + pcount[3];
        panels.push({ c, hits });
      }
    }
    for (let i = 0; i < p.n; i++) if (cat[i]) counts[cat[i]]++;
    ctx.fillStyle = "#222"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    for (let q = 0; q < k; q++) ctx.fillText(axisLabel(ms[q], objs[q].direction), left + q * size + size / 2, size * k + bottom + 6);
    ctx.save();
    for (let r = 0; r < k; r++) {
      ctx.setTransform(window.devicePixelRatio || 1, 0, 0, window.devicePixelRatio || 1, 0, 0);
      ctx.translate(12, 10 + r * size + size / 2); ctx.rotate(-Math.PI / 2); ctx.textBaseline = "middle";
      ctx.fillText(axisLabel(ms[r], objs[r].direction), 0, 0);
    }
    ctx.restore();
    attachHover(canvas, (mx, my) => {
      const pn = panels.find((t) => mx >= t.c.x && mx <= t.c.x + t.c.w && my >= t.c.y && my <= t.c.y + t.c.h);
      return pn ? pn.hits.nearest(mx, my, 7) : null;
    }, (i) => trialTip(exp, p, i), (i) => navigate(trialHref(exp.id, p.number[i])));
    setCounts(root, counts);
    root.dataset.panelPoints = String(panelPoints);
    root.append(paretoLegend());
    return root;
  }

  // --- hypervolume history
  function hypervolumePlot(exp, W) {
    const pts = exp.hypervolume_history.map((q) => [q[0], toNum(q[1])]);
    return lineChart("hypervolume", { width: W, height: 240, xInteger: true, xlabel: "trial number", ylabel: "hypervolume",
      series: [{ label: "hypervolume", color: ACCENT, pts, step: true, dots: pts.length < 400 }] });
  }

  // --- learning curves (intermediate values)
  function learningCurves(exp, s, W) {
    const inter = exp.intermediate;
    const names = [];
    for (const t of Object.keys(inter)) for (const nm of Object.keys(inter[t] || {})) if (names.indexOf(nm) < 0) names.push(nm);
    const st = ui(exp.id);
    if (!st.curveName || names.indexOf(st.curveName) < 0) st.curveName = names[0];
    const select = el("select", { "aria-label": "intermediate value" }, ...names.map((nm) => el("option", { value: nm, text: nm })));
    select.value = st.curveName;
    const input = el("input", { type: "text", placeholder: "trial numbers, e.g. 3,7,12 (empty: 10 longest)", value: st.curveTrials || "", size: 34 });
    const note = el("span", { class: "muted" });
    const holder = el("div");
    s.append(el("div", { class: "controls" }, el("label", null, "value ", select), el("label", null, "trials ", input), note), holder);
    const draw = () => {
      st.curveName = select.value;
      st.curveTrials = input.value;
      const nm = select.value;
      let trials;
      const asked = input.value.split(/[\s,;]+/).filter(Boolean);
      if (asked.length) {
        trials = asked.filter((t) => inter[t] && inter[t][nm]);
        note.textContent = trials.length < asked.length ? "no " + nm + " values for trial " + asked.filter((t) => trials.indexOf(t) < 0).join(", ") : "";
      } else {
        trials = Object.keys(inter).filter((t) => inter[t] && inter[t][nm]);
        trials.sort((a, b) => inter[b][nm].length - inter[a][nm].length || Number(a) - Number(b));
        trials = trials.slice(0, 10);
        note.textContent = "";
      }
      holder.replaceChildren();
      guard(holder, "learning curves", () => {
        if (!trials.length) { holder.append(emptyPlot("curves", "no trial has " + nm + " values")); return; }
        const series = trials.map((t, k) => ({ label: "trial " + t, color: seriesColour(k), pts: inter[t][nm].map((q) => [q[0], toNum(q[1])]), dash: k >= PALETTE.length ? [4, 3] : null, trial: t }));
        holder.append(lineChart("curves", { width: W, height: 300, xlabel: "step", ylabel: nm, series, legend: true, xInteger: true,
          onClick: (si) => navigate(trialHref(exp.id, series[si].trial)) }));
      });
    };
    select.addEventListener("change", draw);
    input.addEventListener("change", draw);
    draw();
  }

  // --- α trajectory: small multiples, one chart per edge, one line per op
  function alphaPlot(traj, W) {
    const edges = Object.keys(traj.edges || {});
    if (!edges.length) return emptyPlot("alpha", "the search trajectory has no edges");
    const ops = [];
    let ymax = 0;
    for (const e of edges) for (const op of Object.keys(traj.edges[e] || {})) {
      if (ops.indexOf(op) < 0) ops.push(op);
      for (const q of traj.edges[e][op]) { const y = toNum(q[1]); if (isFinite(y) && y > ymax) ymax = y; }
    }
    const root = plotBox("alpha", { "data-edges": edges.length });
    if (traj.trial !== undefined && traj.trial !== null) root.append(el("p", { class: "muted", text: "softmax of the architecture weights of trial " + traj.trial + ", per edge" }));
    const cols = Math.max(1, Math.min(3, Math.floor(W / 300)));
    const w = Math.floor((W - (cols - 1) * 12) / cols);
    const grid = el("div", { class: "multiples", style: "grid-template-columns: repeat(" + cols + ", " + w + "px)" });
    let points = 0;
    for (const e of edges) {
      const series = ops.filter((op) => traj.edges[e][op]).map((op) => ({ label: op, color: opColour(op), pts: traj.edges[e][op].map((q) => [q[0], toNum(q[1])]), dash: op === "none" ? [4, 3] : null }));
      const cell = el("div", { class: "multiple" }, el("div", { class: "multiple-title", text: "edge " + e }));
      const inner = lineChart("alpha-edge", { width: w, height: 190, series, xlabel: "epoch", ylabel: "weight", xInteger: true, small: true,
        yDomain: [0, Math.max(0.05, ymax * 1.05)], margins: { l: 46, b: 36, t: 8, r: 8 } });
      inner.className = "alpha-edge";
      inner.removeAttribute("data-plot");
      points += Number(inner.dataset.points);
      cell.append(inner);
      grid.append(cell);
    }
    root.append(legend(ops.map((op) => ({ color: opColour(op), label: op, dashed: op === "none" }))), grid);
    root.dataset.points = String(points);
    return root;
  }

  // --- trial table: filter + sort an index array, render only the visible 50 rows
  const PAGE_SIZE = 50;
  function parseFilter(text, p) {
    const m = /^\s*([^<>=!]+?)\s*(>=|<=|!=|==|=|>|<)\s*(\S.*?)\s*$/.exec(text || "");
    if (!m) return { error: "write a filter like accuracy>90 or latency_ms<=0.05" };
    const metric = m[1], op = m[2], v = toNum(Number(m[3]));
    if (metric !== "number" && !p.vals[metric]) return { error: "unknown metric " + metric };
    if (!(v === v)) return { error: "not a number: " + m[3] };
    const tests = { ">": (x) => x > v, "<": (x) => x < v, ">=": (x) => x >= v, "<=": (x) => x <= v, "=": (x) => x === v, "==": (x) => x === v, "!=": (x) => x === x && x !== v };
    return { col: metric === "number" ? p.number : p.vals[metric], test: tests[op] };
  }
  function parseSort(text, p) {
    const s = String(text || "number:asc");
    const k = s.lastIndexOf(":");
    const key = k < 0 ? s : s.slice(0, k);
    const dir = (k < 0 ? "asc" : s.slice(k + 1)) === "desc" ? "desc" : "asc";
    return { key: key === "number" || p.vals[key] ? key : "number", dir };
  }
  function selectRows(p, st, filter) {
    let idx = new Uint32Array(p.n), k = 0;
    const sc = st.state ? p.stateNames.indexOf(st.state) : -1;
    if (st.state && sc < 0) return idx.subarray(0, 0);
    const col = filter && filter.col, test = filter && filter.test;
    for (let i = 0; i < p.n; i++) {
      if (sc >= 0 && p.stateCode[i] !== sc) continue;
      if (col && !test(col[i])) continue;
      idx[k++] = i;
    }
    idx = idx.subarray(0, k);
    const num = p.number, d = st.sort.dir === "desc" ? -1 : 1;
    if (st.sort.key === "number") {
      if (p.order || d < 0) idx.sort((a, b) => d * (num[a] - num[b]));
    } else {
      // As `tandem trials --sort`: complete trials with the metric first (best first), then the
      // other trials that have it (infeasible ones keep their metrics), then those without it.
      const v = p.vals[st.sort.key], complete = p.stateNames.indexOf("COMPLETE");
      const group = (i) => (v[i] !== v[i] ? 2 : p.stateCode[i] === complete ? 0 : 1);
      idx.sort((a, b) => {
        const ga = group(a), gb = group(b);
        if (ga !== gb) return ga - gb;
        const x = v[a], y = v[b];
        if (ga === 2 || x === y) return num[a] - num[b];
        return x < y ? -d : d;
      });
    }
    return idx;
  }
  function trialTable(exp, p, params) {
    const cols = ["number", "state", "candidate"].concat(p.metrics, ["reason"]);
    const stateSel = el("select", { "aria-label": "state filter" }, el("option", { value: "", text: "all states" }),
      ...p.stateNames.map((s) => el("option", { value: s, text: s.toLowerCase() })));
    const filterIn = el("input", { type: "text", placeholder: "filter, e.g. accuracy>90", size: 26, "aria-label": "metric filter" });
    const msg = el("span", { class: "filter-msg" });
    const prev = el("button", { type: "button", text: "← prev" });
    const next = el("button", { type: "button", text: "next →" });
    const pageLabel = el("span", { class: "page-label" });
    const totalLabel = el("span", { class: "muted" });
    const headRow = el("tr");
    const table = el("table", { id: "trial-table", class: "data trials" }, el("thead", null, headRow), el("tbody"));
    const root = el("div", null,
      el("div", { class: "controls" }, el("label", null, "state ", stateSel), el("label", null, "where ", filterIn), msg, el("span", { class: "spacer" }),
        p.inFront.some((x) => x) ? el("span", { class: "front-key", text: "Pareto front" }) : null, totalLabel),
      el("div", { class: "table-wrap" }, table),
      el("div", { class: "pager" }, prev, pageLabel, next));
    let st = null, cache = { key: null, idx: null };
    const headCells = cols.map((c) => {
      const sortable = c === "number" || p.vals[c];
      const th = el("th", { class: (c === "number" || p.vals[c] ? "num sortable" : "") + (p.dirs[c] ? " obj-col" : ""), title: p.dirs[c] ? "objective (" + p.dirs[c] + ")" : null },
        el("span", { text: c === "number" ? "#" : c }), el("span", { class: "arrow" }));
      const toggle = () => {
        let dir = c === "number" ? "asc" : p.dirs[c] === "max" ? "desc" : "asc";
        if (st.sort.key === c) dir = st.sort.dir === "asc" ? "desc" : "asc";
        setParams({ sort: c + ":" + dir, page: null });
      };
      if (sortable) {
        th.tabIndex = 0;
        th.addEventListener("click", toggle);
        th.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
      }
      headRow.append(th);
      return th;
    });
    stateSel.addEventListener("change", () => setParams({ state: stateSel.value || null, page: null }));
    filterIn.addEventListener("change", () => setParams({ filter: filterIn.value.trim() || null, page: null }));
    prev.addEventListener("click", () => setParams({ page: st.page - 1 > 1 ? st.page - 1 : null }));
    next.addEventListener("click", () => setParams({ page: st.page + 1 }));
    function update(prm) {
      const stateName = p.stateNames.find((x) => x.toUpperCase() === String(prm.state || "").toUpperCase()); // state=complete works too
      st = { sort: parseSort(prm.sort, p), state: stateName || prm.state || "", filter: prm.filter || "", page: Math.max(1, parseInt(prm.page, 10) || 1) };
      stateSel.value = p.stateNames.indexOf(st.state) >= 0 ? st.state : "";
      if (document.activeElement !== filterIn) filterIn.value = st.filter;
      const filter = st.filter ? parseFilter(st.filter, p) : null;
      msg.textContent = filter && filter.error ? filter.error : "";
      const key = [st.sort.key, st.sort.dir, st.state, filter && !filter.error ? st.filter : ""].join("\u0001");
      if (cache.key !== key) {
        const t0 = performance.now();
        cache = { key, idx: selectRows(p, st, filter && !filter.error ? filter : null) };
        table.dataset.selectMs = String(Math.round(performance.now() - t0));
      }
      const idx = cache.idx, total = idx.length, pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      if (st.page > pages) st.page = pages;
      headCells.forEach((th, k) => {
        th.lastChild.textContent = cols[k] === st.sort.key ? (st.sort.dir === "asc" ? " ▲" : " ▼") : "";
        th.classList.toggle("sorted", cols[k] === st.sort.key);
      });
      const tb = el("tbody");
      const start = (st.page - 1) * PAGE_SIZE;
      for (let k = start; k < Math.min(total, start + PAGE_SIZE); k++) tb.append(tableRow(exp, p, idx[k]));
      if (!total) tb.append(el("tr", { class: "empty-row" }, el("td", { colspan: cols.length, text: p.n ? "no trial matches" : "no trials yet" })));
      table.tBodies[0].replaceWith(tb);
      table.dataset.total = String(total);
      table.dataset.page = String(st.page);
      table.dataset.pages = String(pages);
      pageLabel.textContent = "page " + st.page + " of " + pages;
      totalLabel.textContent = total.toLocaleString("en-US") + (total === 1 ? " trial" : " trials") + (total !== p.n ? " of " + p.n.toLocaleString("en-US") : "");
      prev.disabled = st.page <= 1;
      next.disabled = st.page >= pages;
    }
    update(params);
    return { root, update };
  }
  function tableRow(exp, p, i) {
    const t = p.t, n = p.number[i];
    const state = p.stateNames[p.stateCode[i]];
    const cand = t.candidate ? t.candidate[i] : "";
    const reason = t.reason ? t.reason[i] : "";
    const tr = el("tr", { "data-number": n, class: p.inFront[i] ? "front" : null },
      el("td", { class: "num" }, el("a", { href: trialHref(exp.id, n), text: String(n) })),
      el("td", null, el("span", { class: "chip " + (STATE_CLASS[state] || ""), text: state.toLowerCase() })),
      el("td", { class: "cand", title: cand || null }, el("code", { text: truncate(cand, 64) })));
    for (const m of p.metrics) {
      const rv = p.raw[m] ? p.raw[m][i] : null;
      tr.append(el("td", { class: "num" + (rv === null || rv === undefined ? " zero" : ""), text: rv === null || rv === undefined ? "—" : fmt(typeof rv === "number" ? rv : String(rv)) }));
    }
    tr.append(el("td", { class: "reason", title: reason || null, text: truncate(reason, 60) }));
    tr.addEventListener("click", (ev) => { if (!ev.target.closest("a")) navigate(trialHref(exp.id, n)); });
    return tr;
  }

  // ---------------------------------------------------------------- trial page
  function trialView(parts, params, app, quiet) {
    const id = parts[1], number = Number(parts[2]);
    if (!live.on) {
      const exp = getExperiment(id);
      if (!exp) { page(app, el("p", { class: "empty", text: "There is no experiment with id " + id + " in this database." })); return null; }
      const p = prep(exp);
      const i = p.byNumber.get(number);
      const det = exp.details ? exp.details[String(number)] : undefined;
      if (i === undefined && !det) { page(app, el("p", { class: "empty", text: "Experiment " + id + " has no trial " + parts[2] + "." })); return null; }
      renderTrial(app, exp, recordFromColumns(exp, p, i, det), det || null);
      return null;
    }
    const meta = findMeta(id) || { id, name: "experiment " + id, objectives: [] };
    return withValue(fetchJSON("api/trial/" + encodeURIComponent(id) + "/" + encodeURIComponent(parts[2])), app, "trial " + parts[2], (det) => {
      if (!det) return null;
      renderTrial(app, meta, recordFromDetail(det), det);
      return { liveTrial: { id, number, state: det.state } };
    }, quiet);
  }
  function recordFromColumns(exp, p, i, det) {
    if (i === undefined) return recordFromDetail(det);
    const t = p.t, values = {};
    for (const m of p.metrics) values[m] = p.raw[m] ? p.raw[m][i] : null;
    const inter = (exp.intermediate || {})[String(p.number[i])] || (det && det.intermediate) || {};
    return { number: p.number[i], state: p.stateNames[p.stateCode[i]], reason: t.reason ? t.reason[i] : "", candidate: t.candidate ? t.candidate[i] : "",
      accelerator: t.accelerator ? t.accelerator[i] : "", started: t.started ? t.started[i] : "", finished: t.finished ? t.finished[i] : "",
      worker: det ? det.worker : "", values, intermediate: inter, front: !!p.inFront[i], metrics: p.metrics };
  }
  function recordFromDetail(d) {
    return Object.assign({ values: {}, intermediate: {} }, d, { metrics: Object.keys(d.values || {}) });
  }
  function renderTrial(app, exp, r, det) {
    const W = contentWidth();
    const root = page(app);
    root.append(el("p", { class: "crumbs" }, el("a", { href: expHref(exp.id), text: "← " + (exp.name || "experiment " + exp.id) }),
      r.number > 0 ? " · " : null, r.number > 0 ? el("a", { href: trialHref(exp.id, r.number - 1), text: "← trial " + (r.number - 1) }) : null,
      " · ", el("a", { href: trialHref(exp.id, r.number + 1), text: "trial " + (r.number + 1) + " →" })));
    root.append(el("h1", null, "Trial " + r.number + " ", el("span", { class: "chip " + (STATE_CLASS[r.state] || ""), text: String(r.state || "").toLowerCase() }),
      r.front ? el("span", { class: "chip st-front", text: "Pareto front" }) : null));
    const info = section("info", "Trial");
    root.append(info);
    guard(info, "trial summary", () => {
      const dl = el("dl", { class: "kv" });
      const kv = (k, v) => { if (v !== undefined && v !== null && v !== "") dl.append(el("dt", { text: k }), el("dd", null, v)); };
      kv("state", String(r.state || ""));
      kv("reason", r.reason ? String(r.reason) : null);
      kv("candidate", el("code", { class: "wrap", text: r.candidate || "" }));
      kv("accelerator", r.accelerator ? el("code", { class: "wrap", text: r.accelerator }) : null);
      kv("started", fmtTime(r.started));
      kv("finished", fmtTime(r.finished));
      kv("worker", r.worker ? String(r.worker) : null);
      info.append(dl, metricsTable(exp, r));
    });
    const names = Object.keys(r.intermediate || {});
    if (names.length) {
      const s = section("curves", "Intermediate values");
      root.append(s);
      guard(s, "intermediate values", () => s.append(trialCurves(r, W)));
    }
    if (!det) {
      root.append(el("p", { class: "note" }, "The graph and cost breakdown of this trial are not in this report (it includes the Pareto-front and best trials); ",
        el("code", { text: "tandem dashboard" }), " shows every trial."));
      return;
    }
    const cells = det.cells || [];
    if (typeof det.graph_error === "string" && det.graph_error) root.append(el("p", { class: "note" }, "No graph for this candidate: ", det.graph_error));
    if (cells.length) {
      const s = section("cell", "Candidate");
      root.append(s);
      guard(s, "candidate graph", () => s.append(cellPlot(cells, W)));
    }
    if (det.accelerator) root.append(section("accelerator", "Accelerator", el("pre", { class: "accel", text: String(det.accelerator) })));
    const s = section("cost", "Cost breakdown");
    root.append(s);
    guard(s, "cost breakdown", () => {
      if (det.cost && (det.cost.layers || []).length) s.append(costPlot(det.cost, W));
      else if (typeof det.cost_error === "string" && det.cost_error) s.append(el("p", { class: "note" }, "No cost breakdown: ", det.cost_error));
      else s.append(el("p", { class: "empty", text: "No cost breakdown for this trial." }));
    });
    if ((det.layers || []).length) {
      // A network's layer list is long (an NB201 network has ~300 layers): folded when over 30.
      const layers = section("layers", "Layers");
      root.append(layers);
      guard(layers, "layer list", () => {
        const table = layersTable(det.layers);
        if (det.layers.length <= 30) return layers.append(table);
        layers.append(el("details", {}, el("summary", { text: det.layers.length + " layers" }), table));
      });
    }
  }
  function metricsTable(exp, r) {
    const dirs = {};
    for (const o of exp.objectives || []) dirs[o.metric] = o.direction;
    const ms = (r.metrics || []).slice();
    for (const m of Object.keys(r.values || {})) if (ms.indexOf(m) < 0) ms.push(m);
    if (!ms.length) return el("p", { class: "empty", text: "This trial has no metrics." });
    return el("table", { class: "data metrics" },
      el("thead", null, el("tr", null, el("th", { text: "metric" }), el("th", { class: "num", text: "value" }), el("th", { text: "objective" }),
        el("th", { class: "num", text: "best in experiment" }))),
      el("tbody", null, ...ms.map((m) => {
        const v = r.values[m];
        const b = exp.best ? exp.best[m] : undefined;
        return el("tr", null, el("td", { text: m }), el("td", { class: "num", text: v === null || v === undefined ? "—" : fmt(v) }),
          el("td", { text: dirs[m] || "" }), el("td", { class: "num", text: b === undefined || b === null ? "" : fmt(b) }));
      })));
  }
  // One small chart per intermediate-value name (their scales differ), inside one `curves` plot.
  function trialCurves(r, W) {
    const names = Object.keys(r.intermediate);
    const root = plotBox("curves");
    const cols = Math.min(names.length, W >= 700 ? 2 : 1);
    const w = Math.floor((W - (cols - 1) * 12) / cols);
    const grid = el("div", { class: "multiples", style: "grid-template-columns: repeat(" + cols + ", " + w + "px)" });
    let points = 0;
    for (const nm of names) {
      const pts = (r.intermediate[nm] || []).map((q) => [q[0], toNum(q[1])]);
      const inner = lineChart("curve-one", { width: w, height: 230, xlabel: "step", ylabel: nm, xInteger: true, series: [{ label: nm, color: ACCENT, pts, dots: true }] });
      inner.className = "curve-one";
      inner.removeAttribute("data-plot");
      points += Number(inner.dataset.points);
      grid.append(inner);
    }
    root.append(grid);
    root.dataset.points = String(points);
    root.dataset.series = String(names.length);
    return root;
  }

  // --- candidate cells as DAGs (SVG): nodes in a row, edges as labelled arcs coloured by op
  function cellPlot(cells, W) {
    const root = plotBox("cell");
    let edges = 0;
    const ops = [];
    for (const cell of cells) {
      root.append(el("div", { class: "cell-title", text: cell.name || "cell" }));
      const r = cellSvg(cell, Math.min(W, 900), ops);
      edges += r.edges;
      root.append(r.svg);
    }
    root.append(legend(ops.map((op) => ({ color: opColour(op), label: op === "none" ? "none (no operation, dashed grey)" : op, dashed: op === "none" }))));
    root.dataset.edges = String(edges);
    root.dataset.points = String(edges);
    return root;
  }
  // Edges between neighbours are straight; longer ones arc above or below (alternating by source
  // node, repeated pairs on the other side), higher for longer spans.
  function cellSvg(cell, W, ops) {
    const nodes = (cell.nodes || []).map(String);
    const pos = (name) => nodes.indexOf(String(name));
    const es = (cell.edges || []).filter((e) => pos(e.from) >= 0 && pos(e.to) >= 0 && pos(e.from) !== pos(e.to));
    const arcH = (span) => (span <= 1 ? 0 : 14 + span * 22);
    const seen = new Map();
    const layout = es.map((e) => {
      const a = pos(e.from), b = pos(e.to), span = Math.abs(b - a);
      const key = Math.min(a, b) + ":" + Math.max(a, b);
      const nth = seen.get(key) || 0;
      seen.set(key, nth + 1);
      let side = span <= 1 ? 0 : Math.min(a, b) % 2 === 0 ? -1 : 1;
      if (nth) side = (side || -1) * (nth % 2 ? -1 : 1);
      const h = arcH(Math.max(span, side ? 2 : 1)) + Math.floor(nth / 2) * 14;
      return { e, a, b, side, h };
    });
    const up = Math.max(0, ...layout.filter((l) => l.side < 0).map((l) => l.h));
    const down = Math.max(0, ...layout.filter((l) => l.side > 0).map((l) => l.h));
    const pad = 44, gap = nodes.length > 1 ? Math.min(200, (W - 2 * pad) / (nodes.length - 1)) : 0;
    const width = Math.min(W, 2 * pad + gap * Math.max(0, nodes.length - 1));
    const baseY = up + 34, H = baseY + down + 34;
    const s = svg("svg", { width, height: H, viewBox: "0 0 " + width + " " + H, class: "cell-svg", role: "img" });
    s.append(svg("title", {}, "cell " + (cell.name || "") + ": " + es.length + " edges"));
    const nx = (k) => (nodes.length > 1 ? pad + k * gap : width / 2);
    const nodeW = (k) => Math.max(28, nodes[k].length * 7.5 + 14);
    // point on node k's outline (a rounded box) towards (tx, ty)
    const rim = (k, tx, ty) => {
      const cx = nx(k), dx = tx - cx, dy = ty - baseY, hw = nodeW(k) / 2 + 2, hh = 16;
      const f = 1 / Math.max(Math.abs(dx) / hw, Math.abs(dy) / hh, 1e-9);
      return [cx + dx * f, baseY + dy * f];
    };
    const edgeLayer = svg("g"), labelLayer = svg("g"), nodeLayer = svg("g");
    for (const l of layout) {
      const op = String(l.e.op);
      if (ops.indexOf(op) < 0) ops.push(op);
      const col = op === "none" ? "#bdbdbd" : opColour(op);
      const mx = (nx(l.a) + nx(l.b)) / 2, cy = baseY + l.side * 2 * l.h;
      const [x1, y1] = rim(l.a, mx, cy), [x2, y2] = rim(l.b, mx, cy);
      edgeLayer.append(svg("path", { d: "M" + x1 + "," + y1 + " Q" + mx + "," + cy + " " + x2 + "," + y2, fill: "none", stroke: col,
        "stroke-width": op === "none" ? 1.4 : 2, "stroke-dasharray": op === "none" ? "5 4" : "none" }));
      const dx = x2 - mx, dy = y2 - cy, len = Math.hypot(dx, dy) || 1, ux = dx / len, uy = dy / len;
      const ax = x2 - ux * 9, ay = y2 - uy * 9;
      edgeLayer.append(svg("path", { d: "M" + x2 + "," + y2 + " L" + (ax - uy * 4.5) + "," + (ay + ux * 4.5) + " L" + (ax + uy * 4.5) + "," + (ay - ux * 4.5) + " Z", fill: col }));
      const midY = (y1 + 2 * cy + y2) / 4;
      labelLayer.append(svg("text", { x: mx, y: l.side > 0 ? midY + 12 : midY - 5, "text-anchor": "middle", class: "edge-label", fill: op === "none" ? "#888" : col }, op));
    }
    nodes.forEach((nm, k) => {
      const w = nodeW(k);
      nodeLayer.append(svg("rect", { x: nx(k) - w / 2, y: baseY - 14, width: w, height: 28, rx: 14, class: "node" }));
      nodeLayer.append(svg("text", { x: nx(k), y: baseY + 4, "text-anchor": "middle", class: "node-label" }, nm));
    });
    s.append(edgeLayer, nodeLayer, labelLayer);
    return { svg: s, edges: es.length };
  }
  function layersTable(layers) {
    let macs = 0, params = 0;
    const rows = layers.map((l) => {
      if (typeof l.macs === "number") macs += l.macs;
      if (typeof l.params === "number") params += l.params;
      return el("tr", null, el("td", { text: l.name }), el("td", { text: l.op }), el("td", null, el("code", { text: l.output_shape })),
        el("td", { class: "num", text: fmtInt(l.macs) }), el("td", { class: "num", text: fmtInt(l.params) }));
    });
    return el("div", { class: "table-wrap" }, el("table", { class: "data layers" },
      el("thead", null, el("tr", null, ...["layer", "op", "output shape", "MACs", "params"].map((h, k) => el("th", { class: k >= 3 ? "num" : null, text: h })))),
      el("tbody", null, ...rows),
      el("tfoot", null, el("tr", null, el("td", { text: "total (" + layers.length + " layers)" }), el("td"), el("td"),
        el("td", { class: "num", text: fmtInt(macs) }), el("td", { class: "num", text: fmtInt(params) })))));
  }
  // --- cost breakdown: per layer, stacked energy bars by component + latency bars (one canvas)
  function costPlot(cost, W) {
    const layers = cost.layers;
    const comps = (cost.components && cost.components.length ? cost.components : Object.keys((layers[0] || {}).energy_pj || {})).map(String);
    const root = plotBox("cost", { "data-layers": layers.length });
    const rowH = 20, top = 26, bottom = 42, labelW = 130;
    const H = top + layers.length * rowH + bottom;
    const { canvas, ctx } = makeCanvas(W, H);
    root.append(canvas);
    const ew = Math.floor((W - labelW - 52) * 0.62), lw = W - labelW - 52 - ew;
    const eTot = layers.map((l) => comps.reduce((a, c) => a + (toNum((l.energy_pj || {})[c]) || 0), 0));
    const lat = layers.map((l) => toNum(l.latency_ms));
    const ec = { ctx, x: labelW, y: top, w: ew, h: layers.length * rowH };
    const lc = { ctx, x: labelW + ew + 40, y: top, w: lw, h: layers.length * rowH };
    const emax = Math.max(...eTot.filter(isFinite), 0) || 1, lmax = Math.max(...lat.filter(isFinite), 0) || 1;
    const ea = axes(ec, [0, emax * 1.04], [0, 1], "energy (pJ)", null, { noYLabels: true });
    const la = axes(lc, [0, lmax * 1.04], [0, 1], "latency (ms)", null, { noYLabels: true });
    ctx.font = "600 12px system-ui, sans-serif"; ctx.fillStyle = "#222"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText("energy per layer", ec.x, top - 6);
    ctx.fillText("latency per layer", lc.x, top - 6);
    ctx.font = "11px system-ui, sans-serif";
    let bars = 0;
    layers.forEach((l, k) => {
      const y = top + k * rowH + 3, h = rowH - 6;
      ctx.fillStyle = "#333"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
      let name = String(l.name === undefined ? k : l.name);
      while (name.length > 3 && ctx.measureText(name).width > labelW - 10) name = name.slice(0, -2);
      if (name !== String(l.name)) name = name.slice(0, -1) + "…";
      ctx.fillText(name, labelW - 6, y + h / 2);
      let x = 0;
      for (const c of comps) {
        const v = toNum((l.energy_pj || {})[c]);
        if (!(v > 0)) continue;
        ctx.fillStyle = componentColour(c);
        ctx.fillRect(ea.sx(x), y, ea.sx(x + v) - ea.sx(x), h);
        x += v;
      }
      if (isFinite(lat[k])) { ctx.fillStyle = "#555"; ctx.fillRect(la.sx(0), y, la.sx(lat[k]) - la.sx(0), h); }
      bars++;
    });
    attachHover(canvas, (mx, my) => {
      const k = Math.floor((my - top) / rowH);
      return mx > 0 && k >= 0 && k < layers.length ? k : null;
    }, (k) => {
      const l = layers[k];
      return ["layer " + l.name].concat(comps.map((c) => c + ": " + fmt(toNum((l.energy_pj || {})[c])) + " pJ"),
        ["total: " + fmt(eTot[k]) + " pJ", "latency: " + fmt(lat[k]) + " ms"], l.utilization !== undefined ? ["utilization: " + fmt(toNum(l.utilization))] : []);
    }, null);
    root.dataset.layers = String(bars);
    root.dataset.points = String(bars);
    const sumE = eTot.reduce((a, b) => a + (isFinite(b) ? b : 0), 0), sumL = lat.reduce((a, b) => a + (isFinite(b) ? b : 0), 0);
    root.append(legend(comps.map((c) => ({ color: componentColour(c), label: c })).concat([{ color: "#555", label: "latency" }])));
    const dl = el("dl", { class: "kv totals" });
    const kv = (k, v) => dl.append(el("dt", { text: k }), el("dd", { text: v }));
    if (cost.model) kv("model", String(cost.model));
    kv("energy", fmt(sumE) + " pJ over " + layers.length + " layers" + (cost.energy_mj !== undefined && cost.energy_mj !== null ? " · total " + fmt(toNum(cost.energy_mj)) + " mJ" : ""));
    kv("latency", fmt(sumL) + " ms summed over layers" + (cost.latency_ms !== undefined && cost.latency_ms !== null ? " · total " + fmt(toNum(cost.latency_ms)) + " ms" : ""));
    if (cost.area_mm2 !== undefined && cost.area_mm2 !== null) kv("area", fmt(toNum(cost.area_mm2)) + " mm²");
    for (const c of comps) kv("  " + c, fmt(layers.reduce((a, l) => a + (toNum((l.energy_pj || {})[c]) || 0), 0)) + " pJ");
    root.append(dl);
    return root;
  }

  // ---------------------------------------------------------------- compare experiments
  const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
  const tQuantile = (n) => (n > 30 ? 1.96 : T975[n - 1]); // t(0.975, n-1)
  function compareView(parts, params, app, quiet) {
    const list = overviewList();
    const metricsOf = (e) => (e.metrics || (e.objectives || []).map((o) => o.metric));
    const allMetrics = [];
    for (const e of list) for (const m of metricsOf(e)) if (allMetrics.indexOf(m) < 0) allMetrics.push(m);
    const metric = params.metric && allMetrics.indexOf(params.metric) >= 0 ? params.metric
      : (list.find((e) => (e.objectives || []).length) || { objectives: [{ metric: allMetrics[0] }] }).objectives[0].metric;
    const ids = params.ids ? params.ids.split(",").filter(Boolean) : list.filter((e) => metricsOf(e).indexOf(metric) >= 0).map((e) => String(e.id));
    const chosen = list.filter((e) => ids.indexOf(String(e.id)) >= 0);
    const fulls = chosen.map((e) => getExperiment(e.id));
    const anyPromise = fulls.some((f) => f && typeof f.then === "function");
    return withValue(anyPromise ? Promise.all(fulls) : fulls, app, "experiments", (exps) => renderCompare(app, list, allMetrics, metric, ids, exps || []), quiet);
  }
  function renderCompare(app, list, allMetrics, metric, ids, exps) {
    const W = contentWidth();
    const root = page(app, el("h1", { text: "Compare experiments" }));
    const sel = el("select", { "aria-label": "metric" }, ...allMetrics.map((m) => el("option", { value: m, text: m })));
    sel.value = metric || "";
    sel.addEventListener("change", () => navigate(hashFor(["compare"], { metric: sel.value })));
    const boxes = el("div", { class: "checks" });
    for (const e of list) {
      const cb = el("input", { type: "checkbox", value: String(e.id) });
      cb.checked = ids.indexOf(String(e.id)) >= 0;
      cb.addEventListener("change", () => {
        const on = Array.from(boxes.querySelectorAll("input:checked")).map((x) => x.value);
        navigate(hashFor(["compare"], { ids: on.join(",") || "none", metric: sel.value }));
      });
      boxes.append(el("label", { class: "check" }, cb, " ", e.name || "experiment " + e.id, el("span", { class: "muted", text: " #" + e.id })));
    }
    root.append(el("div", { class: "controls" }, el("label", null, "metric ", sel)), boxes);
    const s = section("compare", "Best so far: " + (metric || ""));
    root.append(s);
    guard(s, "comparison", () => s.append(comparePlot(exps.filter(Boolean), metric, W)));
    return null;
  }
  function anytime(exp, metric, max) {
    const p = prep(exp), v = p.vals[metric], pts = [];
    if (!v) return { pts, last: -Infinity };
    let best = NaN, last = -Infinity;
    forEachInOrder(p, (i) => {
      last = Math.max(last, p.number[i]);
      if (p.stateCode[i] !== S_COMPLETE || !isFinite(v[i])) return;
      if (best === best && (max ? v[i] <= best : v[i] >= best)) return;
      best = v[i];
      pts.push([p.number[i], best]);
    });
    return { pts, last };
  }
  function comparePlot(exps, metric, W) {
    let dir = "max";
    for (const e of exps) { const o = (e.objectives || []).find((q) => q.metric === metric); if (o) { dir = o.direction; break; } }
    const max = dir === "max";
    const curves = exps.map((e) => ({ e, a: anytime(e, metric, max) })).filter((c) => c.a.pts.length);
    if (!curves.length) return emptyPlot("compare", "no complete trial of the chosen experiments has " + metric + " yet");
    const series = curves.map((c, k) => ({ label: (c.e.name || "experiment " + c.e.id) + " #" + c.e.id, color: seriesColour(k), pts: c.a.pts, step: true, width: 1.1, extendTo: c.a.last }));
    let band = null;
    if (curves.length >= 2) {
      const xmax = Math.max(...curves.map((c) => c.a.last));
      const xmin = Math.min(...curves.map((c) => c.a.pts[0][0]));
      const steps = Math.min(800, Math.max(1, xmax - xmin));
      const xs = [], mean = [], lo = [], hi = [], ptr = curves.map(() => 0);
      for (let s = 0; s <= steps; s++) {
        const x = Math.round(xmin + ((xmax - xmin) * s) / steps);
        if (xs.length && xs[xs.length - 1] === x) continue;
        const vals = [];
        curves.forEach((c, k) => {
          const pts = c.a.pts;
          while (ptr[k] + 1 < pts.length && pts[ptr[k] + 1][0] <= x) ptr[k]++;
          if (pts[0][0] <= x && x <= c.a.last) vals.push(pts[ptr[k]][1]);
        });
        if (!vals.length) continue;
        // mean and band only where at least two experiments still have a value
        const n = vals.length, m = n > 1 ? vals.reduce((a, b) => a + b, 0) / n : NaN;
        const sd = n > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - m) * (b - m), 0) / (n - 1)) : NaN;
        const half = tQuantile(n) * sd / Math.sqrt(n);
        xs.push(x); mean.push(m); lo.push(m - half); hi.push(m + half);
      }
      band = { xs, lo, hi, color: "rgba(0,0,0,0.09)" };
      series.push({ label: "mean of " + curves.length + " (95 % CI band)", color: "#111", pts: xs.map((x, k) => [x, mean[k]]), width: 2.4, aux: true });
    }
    const hlines = [];
    const withOpt = exps.find((e) => e.optimum && e.optimum[metric] !== undefined && e.optimum[metric] !== null);
    if (withOpt) hlines.push({ y: toNum(withOpt.optimum[metric]), label: "table optimum", color: "#D55E00" });
    const root = lineChart("compare", { width: W, height: 380, xlabel: "trial number", ylabel: "best " + axisLabel(metric, dir), xInteger: true, series, band, hlines });
    root.dataset.series = String(curves.length);
    root.dataset.band = band ? "1" : "0";
    root.dataset.optimum = withOpt ? String(toNum(withOpt.optimum[metric])) : "";
    const items = series.map((s) => ({ color: s.color, label: s.label }));
    if (withOpt) items.push({ color: "#D55E00", label: "table optimum", dashed: true });
    root.append(legend(items));
    return root;
  }

  // ---------------------------------------------------------------- live dashboard polling
  function changed(meta) {
    const c = live.exps.get(String(meta.id));
    return c && (c.trial_count !== meta.trial_count || c.last_finished !== meta.last_finished);
  }
  async function poll() {
    try {
      const list = await fetchJSON("api/experiments");
      if (!Array.isArray(list)) throw new FetchError("api/experiments did not return a list");
      const first = live.overview === null;
      const text = JSON.stringify(list), overviewChanged = text !== live.overviewText;
      live.overview = list;
      live.overviewText = text;
      live.lastUpdate = new Date();
      if (live.failed) { live.failed = false; banner(""); }
      renderHeader();
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = 0; if (parseHash().parts[0]) { route(true); return; } }
      const r = parseHash();
      const view = r.parts[0] || "";
      const stale = list.filter(changed); // getExperiment refetches these when asked
      // a refresh costs a full fetch and redraw: wait at least 4x what the last one took
      const refresh = () => {
        const now = performance.now();
        if (now < live.nextRefresh) return;
        body.dataset.liveRefreshes = String(Number(body.dataset.liveRefreshes || 0) + 1);
        route(true);
        live.refreshStarted = now;
      };
      if (first) route(false);
      else if (view === "" && overviewChanged) refresh();
      else if ((view === "experiment" || view === "trial") && stale.some((m) => String(m.id) === r.parts[1])) refresh();
      else if (view === "compare" && stale.length) refresh();
    } catch (e) {
      if (!(e instanceof FetchError) && !(e instanceof SyntaxError)) throw e;
      live.failed = true;
      banner("lost connection to tandem dashboard");
      renderHeader();
      if (live.overview === null) { route(false); }
    } finally {
      setTimeout(poll, live.pollMs);
    }
  }

  // ---------------------------------------------------------------- start
  function start() {
    try {
      const t0 = performance.now();
      doc = loadDocument();
      body.dataset.parseMs = String(Math.round(performance.now() - t0));
    } catch (e) {
      doc = { experiments: [] };
      document.getElementById("app").replaceChildren(errorBox("the data document", e));
      markReady();
      return;
    }
    if (doc.live && typeof doc.live === "object") {
      live.on = true;
      live.pollMs = Math.max(250, Number(doc.live.poll_ms) || 2000);
    }
    renderHeader();
    window.addEventListener("hashchange", () => route(false));
    let lastW = contentWidth(), resizeTimer = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => { if (contentWidth() !== lastW) { lastW = contentWidth(); route(true); } }, 250);
    });
    if (live.on) poll();
    else route(false);
  }
  start();
})();
