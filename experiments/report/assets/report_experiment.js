// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the experiment page: summary, optimization history, Pareto view and scatter matrix, hypervolume, learning curves, alpha trajectory.
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
  // Default: an objective the trials report per step (the pruners' metric), else a validation
  // value (the train evaluator's val_accuracy, val_loss), else the first name.
  const reported = (exp.objectives || []).map((o) => o.metric).filter((m) => names.indexOf(m) >= 0);
  if (!st.curveName || names.indexOf(st.curveName) < 0) st.curveName = reported[0] || names.find((nm) => nm.startsWith("val_")) || names[0];
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
