// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the trial page: record, metrics, intermediate values, cell diagrams (SVG), per-layer cost bars, layer list.
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
