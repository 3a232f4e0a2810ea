// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the page of `tandem bench search --format html`, the
// comparison of strategies over budgets — the score of each strategy (hypervolume ratio to the
// exact front, or the reported truth of the best trial) against the number of queries, with its
// 95 % interval, random search beside it, and the table the command prints.
// ---------------------------------------------------------------- bench comparison
function benchView(parts, params, app) {
  const b = doc.bench;
  const columns = (b.columns || []).map(String);
  const rows = (b.rows || []).map((r) => r.map((v) => (v === null || v === undefined ? "" : String(v))));
  const col = (name) => columns.indexOf(name);
  const scoreName = columns[3] || "score"; // hv_ratio, hypervolume (no exact front) or mean
  const titles = { hv_ratio: "Hypervolume ratio to the exact front", hypervolume: "Hypervolume", mean: "Reported value of the best trial, mean over seeds" };
  const root = page(app, el("h1", { text: "Search benchmark" }),
    el("p", { class: "bench-heading", text: String(b.source || "") + ", " + String(b.seeds || "") + " seeds: " + String(b.heading || "") }));
  const W = contentWidth();
  guard(root, "benchmark plot", () => root.append(section("bench-plot", titles[scoreName] || scoreName,
    benchPlot(rows, col, scoreName, W))));
  guard(root, "benchmark table", () => {
    const head = el("tr", {}, ...columns.map((c) => el("th", { text: c })));
    const tb = el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((v) => el("td", { text: v })))));
    root.append(section("bench-table", "Table", el("table", { class: "data bench-table" }, el("thead", {}, head), tb)));
  });
  const notes = (b.footer || []).concat(b.wall ? ["wall time: " + (b.wall || []).join(", ")] : []);
  if (notes.length) root.append(section("bench-notes", "Notes", ...notes.map((n) => el("p", { text: String(n) }))));
  return null;
}

function benchPlot(rows, col, scoreName, W) {
  const iS = col("strategy"), iB = col("budget"), iY = col(scoreName), iLo = col("ci95_low"), iHi = col("ci95_high");
  const iGain = col("improvement_over_random");
  const num = (text) => (text === "" ? NaN : Number(text)); // the table's cells are text
  const byStrategy = new Map();
  for (const r of rows) {
    if (!byStrategy.has(r[iS])) byStrategy.set(r[iS], []);
    byStrategy.get(r[iS]).push(r);
  }
  const series = [], items = [];
  let k = 0, random = null;
  for (const [name, rs] of byStrategy) {
    const pts = (field) => rs.map((r) => [num(r[iB]), field < 0 ? NaN : num(r[field])]);
    if (name === "random (exact)") { random = pts(iY); continue; }
    const color = seriesColour(k++);
    series.push({ label: name, color, pts: pts(iY), width: 2.2, dots: true });
    series.push({ label: name + " 95 % interval", color, pts: pts(iLo), width: 1, dash: [4, 3], aux: true });
    series.push({ label: name + " 95 % interval", color, pts: pts(iHi), width: 1, dash: [4, 3], aux: true });
    items.push({ color, label: name + " (dashed: 95 % interval)" });
    if (!random && iGain >= 0) random = rs.map((r) => [num(r[iB]), num(r[iY]) - num(r[iGain])]);
  }
  if (random) {
    series.push({ label: "random search", color: "#777", pts: random, width: 1.6, dash: [7, 4], dots: true });
    items.push({ color: "#777", label: "random search", dashed: true });
  }
  if (!series.length) return emptyPlot("bench", "the benchmark has no rows");
  const root = lineChart("bench", { width: W, height: 380, xlabel: "queries (trials)", ylabel: scoreName, xInteger: true, series });
  root.dataset.strategies = String(k);
  root.append(legend(items));
  return root;
}
