// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): the trial table: filter and sort an index array, draw only the visible page of rows.
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
