// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the page script's base: error and ready hooks (read by the browser test), DOM and number helpers, and the experiment model built from the JSON document.
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
