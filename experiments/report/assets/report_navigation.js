// tandem report page, part of one script (embed_assets.cmake joins the report_*.js files in
// order inside one function scope): routing by the URL's # part, data access (inlined report or dashboard API), the header and the overview of experiments.
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
  const view = doc.bench ? benchView
    : r.parts[0] === "experiment" ? experimentView
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
