// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the comparison of experiments (anytime curves, mean and confidence band, table optimum), live dashboard polling and the start of the page.
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
