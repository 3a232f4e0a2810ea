#!/usr/bin/env python3
"""Browser test of `tandem report` and `tandem dashboard` (ctest "browser: ...").

Renders the report and the dashboard of a quickstart run and of a 100,000-trial database generated
here, in headless Chromium (Debian `chromium`), reads the DOM after the scripts ran and checks it
against truth computed here from the SQLite file with Python's sqlite3: no script errors, the
Pareto plot draws exactly the front's trials, the trial table's first row after a sort is the best
trial, database strings containing markup stay text, the trial page draws the cell and the cost
bars. Screenshots are kept in --artifacts. Prints the page load times (docs/report.md quotes them).

usage: test_report_pages.py --tandem BIN --source REPO --artifacts DIR
"""
import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser

FAILURES = []
INJECTED = "<script>window.__tandem_injected=1</script><img src=x onerror=alert(1)>"


def check(name, condition, detail=""):
    print(("ok    " if condition else "FAIL  ") + name + ("" if condition else "   " + str(detail)),
          flush=True)
    if not condition:
        FAILURES.append(name)


class Dom(HTMLParser):
    """What the tests read from a dumped DOM."""

    def __init__(self, html):
        super().__init__()
        self.body, self.plots, self.rows, self.table = {}, [], [], {}
        self.scripts = self.images = 0
        self.text = []
        self.feed(html)
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attributes):
        a = dict(attributes)
        if tag == "body":
            self.body = a
        if tag == "script":
            self.scripts += 1
        if tag in ("img", "iframe", "object", "embed"):
            self.images += 1
        if "plot" in (a.get("class") or "").split() and a.get("data-plot"):
            self.plots.append(a)
        if tag == "table" and a.get("id") == "trial-table":
            self.table = a
        if tag == "tr" and "data-number" in a:
            self.rows.append(int(a["data-number"]))

    def handle_data(self, data):
        self.text.append(data)

    def plot(self, kind):
        return [p for p in self.plots if p.get("data-plot") == kind]


class Browser:
    def __init__(self, artifacts):
        self.chromium = shutil.which("chromium")
        if not self.chromium:
            print("FAIL  chromium is not installed (make test installs Debian's chromium)")
            sys.exit(1)
        self.artifacts = artifacts
        self.profile = tempfile.mkdtemp(prefix="tandem-chromium-")

    def _run(self, extra, url):
        # A report draws while the page loads, so Chromium dumps it after the load event and the
        # page's clock is real time. The dashboard fetches its data after loading: there Chromium
        # runs on virtual time until the page is idle (its timings are then not wall-clock).
        wait = [] if url.startswith("file:") else ["--virtual-time-budget=20000"]
        command = [self.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                   "--no-first-run", "--user-data-dir=" + self.profile,
                   "--window-size=1280,2400", "--enable-logging=stderr", "--v=0"] + wait + extra + [url]
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        return result, time.monotonic() - started

    def dom(self, url, name):
        result, seconds = self._run(["--dump-dom"], url)
        dom = Dom(result.stdout)
        dom.seconds = seconds
        # Chromium's own console log, a second witness besides the page's window.onerror count.
        dom.console_errors = [line for line in result.stderr.splitlines()
                              if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
        if dom.body.get("data-ready") != "1":
            print(result.stderr[-2000:])
        return dom

    def screenshot(self, url, name):
        path = os.path.join(self.artifacts, name + ".png")
        self._run(["--hide-scrollbars", "--screenshot=" + path], url)
        check(name + ": screenshot taken", os.path.exists(path) and os.path.getsize(path) > 10000)


def common_checks(dom, name):
    check(name + ": page ready", dom.body.get("data-ready") == "1", dom.body)
    check(name + ": no JavaScript errors", dom.body.get("data-errors") == "0",
          dom.body.get("data-error-messages"))
    check(name + ": nothing on Chromium's console", not dom.console_errors, dom.console_errors[:3])
    check(name + ": no markup from the database became elements",
          dom.scripts == 2 and dom.images == 0, (dom.scripts, dom.images))


# ---- truth from the database --------------------------------------------------------------

def trials_of(db, experiment_id):
    """{number: (state, {metric: value})} from the SQLite file."""
    connection = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    out = {}
    for number, state in connection.execute(
            "SELECT number, state FROM trials WHERE experiment_id = ?", (experiment_id,)):
        out[number] = (state, {})
    for number, name, value in connection.execute(
            "SELECT t.number, v.name, v.value FROM trial_values v JOIN trials t ON t.id = v.trial_id "
            "WHERE t.experiment_id = ? AND v.value_kind = 'finite'", (experiment_id,)):
        out[number][1][name] = value
    connection.close()
    return out


def pareto_front(trials, objectives):
    """Numbers of the COMPLETE trials no other COMPLETE trial dominates (brute force by sweep for
    2 objectives, pairwise otherwise). objectives: [(metric, maximize)]."""
    points = []
    for number, (state, values) in trials.items():
        if state == "COMPLETE" and all(m in values for m, _ in objectives):
            points.append((number, tuple(-values[m] if up else values[m] for m, up in objectives)))

    def dominates(a, b):
        return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))

    if len(objectives) == 2:
        points.sort(key=lambda p: (p[1][0], p[1][1]))
        front, best = [], float("inf")
        for i, (number, (x, y)) in enumerate(points):
            if y < best:
                front.append(number)
                best = y
            elif y == best and front and points[i - 1][1] == (x, y) and points[i - 1][0] in front:
                front.append(number)  # an exact duplicate of a front point is on the front too
        return set(front)
    return {n for n, p in points if not any(dominates(q, p) for _, q in points)}


def best_numbers(trials, metric, maximize):
    values = [(v[metric], n) for n, (s, v) in trials.items() if s == "COMPLETE" and metric in v]
    top = max(values)[0] if maximize else min(values)[0]
    return {n for value, n in values if value == top}


# ---- databases ----------------------------------------------------------------------------

def quickstart_database(tandem, source, folder):
    db = os.path.join(folder, "quickstart.db")
    config = os.path.join(source, "experiments", "examples", "quickstart.yaml")
    subprocess.run([tandem, "run", config, "--db", db, "--trials", "14", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, cwd=source)  # the quickstart's dataset: data/
    return db


def big_database(tandem, folder, n=100_000):
    """A tandem database (schema from `tandem run`) with n trials of a 2-objective experiment,
    written directly here in one transaction; some candidates carry markup."""
    db = os.path.join(folder, "big.db")
    config = os.path.join(folder, "big.yaml")
    with open(config, "w") as out:
        out.write('name: "big <script>alert(1)</script>"\nseed: 0\nspace: {name: nb201}\n'
                  "strategy: random\nevaluators: [{name: synthetic}]\n"
                  "objectives: [{metric: score, direction: maximize},"
                  " {metric: decision_sum, direction: minimize}]\nbudget: {trials: 1}\n")
    subprocess.run([tandem, "run", config, "--db", db, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    rng = random.Random(11)
    connection = sqlite3.connect(db)
    (experiment_id,) = connection.execute("SELECT id FROM experiments").fetchone()
    connection.execute("BEGIN")
    for number in range(1, n):
        candidate = INJECTED if number % 997 == 0 else "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|" \
            "avg_pool_3x3~0|nor_conv_1x1~1|none~2|#%d" % number
        state = "COMPLETE" if number % 10 else rng.choice(["INFEASIBLE", "PRUNED", "FAILED"])
        cursor = connection.execute(
            "INSERT INTO trials (experiment_id, number, state, space, candidate, worker, started) "
            "VALUES (?, ?, 'RUNNING', 'nb201', ?, 'test', '2026-01-01T00:00:00Z')",
            (experiment_id, number, candidate))
        trial_id = cursor.lastrowid
        if state in ("COMPLETE", "INFEASIBLE"):
            score = rng.random()
            decisions = rng.randint(0, 24)
            connection.executemany(
                "INSERT INTO trial_values (trial_id, name, value, value_kind) VALUES (?, ?, ?, 'finite')",
                [(trial_id, "score", score), (trial_id, "decision_sum", decisions)])
        if number == 1:  # a weight-sharing search's per-epoch architecture weights
            for epoch in range(1, 6):
                for edge in ("1<-0", "2<-1"):
                    for k, op in enumerate(("none", "skip_connect", "nor_conv_3x3")):
                        connection.execute(
                            "INSERT INTO intermediate_values (trial_id, step, name, value, value_kind) "
                            "VALUES (?, ?, ?, ?, 'finite')",
                            (trial_id, epoch, "alpha/%s/%s" % (edge, op), (k + epoch) / 15.0))
        connection.execute(
            "UPDATE trials SET state = ?, finished = '2026-01-01T00:00:01Z', reason = ?, "
            "failure_cause = ? WHERE id = ?",
            (state, "" if state == "COMPLETE" else "generated " + state.lower(),
             "error" if state == "FAILED" else "none", trial_id))
    connection.execute("DELETE FROM experiment_values WHERE experiment_id = ?", (experiment_id,))
    connection.commit()
    connection.close()
    return db


# ---- the checks ---------------------------------------------------------------------------

def check_experiment_page(browser, url, name, db, objectives, sort_metric):
    trials = trials_of(db, 1)
    front = pareto_front(trials, objectives)
    dom = browser.dom(url + "#/experiment/1", name)
    common_checks(dom, name)
    kind = "pareto" if len(objectives) == 2 else "scatter-matrix"
    plots = dom.plot(kind)
    check(name + ": one %s plot" % kind, len(plots) == 1, [p.get("data-plot") for p in dom.plots])
    if plots:
        check(name + ": the Pareto plot draws every front trial (%d)" % len(front),
              plots[0].get("data-front-points") == str(len(front)),
              (plots[0].get("data-front-points"), len(front)))
    check(name + ": history plots drawn", len(dom.plot("history")) >= 1)
    check(name + ": trial table lists every trial",
          dom.table.get("data-total") == str(len(trials)), (dom.table.get("data-total"), len(trials)))
    print("      %s: drawn %s ms after the script started, ready %s ms after navigation began "
          "(chromium process wall time %.1f s)"
          % (name, dom.body.get("data-render-ms"), dom.body.get("data-page-ms"), dom.seconds),
          flush=True)

    metric, maximize = sort_metric
    sorted_dom = browser.dom(url + "#/experiment/1?sort=%s:%s" % (metric, "desc" if maximize else "asc"),
                             name + " sorted")
    common_checks(sorted_dom, name + " sorted")
    best = best_numbers(trials, metric, maximize)
    check(name + ": first row after sorting by %s is the best trial" % metric,
          bool(sorted_dom.rows) and sorted_dom.rows[0] in best, (sorted_dom.rows[:3], sorted(best)[:5]))
    return dom, front


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tandem", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--artifacts", required=True)
    args = parser.parse_args()
    args.source = os.path.abspath(args.source)
    os.makedirs(args.artifacts, exist_ok=True)
    browser = Browser(args.artifacts)
    folder = tempfile.mkdtemp(prefix="tandem-browser-")

    # 1. The quickstart: 3 objectives, INFEASIBLE trials, trial pages with cell and cost.
    quickstart = quickstart_database(args.tandem, args.source, folder)
    report = os.path.join(folder, "quickstart.html")
    subprocess.run([args.tandem, "report", quickstart, "-o", report], check=True,
                   stdout=subprocess.DEVNULL)
    url = "file://" + report
    objectives = [("accuracy", True), ("latency_ms", False), ("energy_mj", False)]
    _, front = check_experiment_page(browser, url, "quickstart report", quickstart, objectives,
                                     ("accuracy", True))
    browser.screenshot(url + "#/experiment/1", "quickstart-report")
    number = min(front)
    trial = browser.dom(url + "#/trial/1/%d" % number, "quickstart trial page")
    common_checks(trial, "quickstart trial page")
    cells = trial.plot("cell")
    check("quickstart trial page: the NB201 cell is drawn with its 6 edges",
          len(cells) == 1 and cells[0].get("data-edges") == "6", cells)
    with open(report) as page:
        document = json.loads(re.search(r'<script id="tandem-data" type="application/json">(.*?)</script>',
                                        page.read(), re.S).group(1))
    layers = len(document["experiments"][0]["details"][str(number)]["cost"]["layers"])
    costs = trial.plot("cost")
    check("quickstart trial page: one stacked energy bar per costed layer (%d)" % layers,
          len(costs) >= 1 and costs[0].get("data-layers") == str(layers),
          [c.get("data-layers") for c in costs])
    browser.screenshot(url + "#/trial/1/%d" % number, "quickstart-trial")

    # 2. The same database through the dashboard (read-only HTTP server).
    server = subprocess.Popen([args.tandem, "dashboard", quickstart, "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        check("dashboard: announces its address", match is not None, line)
        base = "http://127.0.0.1:%s/" % match.group(1)
        check_experiment_page(browser, base, "quickstart dashboard", quickstart, objectives,
                              ("latency_ms", False))
        live_trial = browser.dom(base + "#/trial/1/%d" % number, "dashboard trial page")
        common_checks(live_trial, "dashboard trial page")
        check("dashboard trial page: cell and cost fetched from the server",
              len(live_trial.plot("cell")) == 1 and len(live_trial.plot("cost")) >= 1)
        browser.screenshot(base + "#/experiment/1", "quickstart-dashboard")
        for method in ("POST", "PUT", "DELETE"):
            try:
                urllib.request.urlopen(urllib.request.Request(base + "api/experiments", data=b"x",
                                                              method=method))
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            check("dashboard: refuses %s" % method, status == 405, status)
    finally:
        server.terminate()
        server.wait(timeout=10)

    # 3. 100,000 trials, markup in the experiment name and in candidates.
    big = big_database(args.tandem, folder)
    big_report = os.path.join(folder, "big.html")
    subprocess.run([args.tandem, "report", big, "-o", big_report], check=True,
                   stdout=subprocess.DEVNULL)
    big_url = "file://" + big_report
    dom, _ = check_experiment_page(browser, big_url, "100k report", big,
                                   [("score", True), ("decision_sum", False)], ("score", True))
    check("100k report: markup in the experiment name is shown as text",
          "big <script>alert(1)</script>" in dom.text)
    alpha = dom.plot("alpha")
    check("100k report: the alpha trajectory is drawn for its 2 edges",
          len(alpha) == 1 and alpha[0].get("data-edges") == "2", alpha)
    overview = browser.dom(big_url + "#/", "100k overview")
    common_checks(overview, "100k overview")
    check("100k overview: markup in the experiment name is shown as text",
          "big <script>alert(1)</script>" in overview.text)
    injected = browser.dom(big_url + "#/trial/1/997", "injected candidate page")
    common_checks(injected, "injected candidate page")
    check("injected candidate page: the candidate's markup is shown as text", INJECTED in injected.text)
    filtered = browser.dom(big_url + "#/experiment/1?filter=score>0.999&sort=score:desc",
                           "100k filtered")
    big_trials = trials_of(big, 1)
    expected = sum(1 for s, v in big_trials.values() if "score" in v and v["score"] > 0.999)
    check("100k report: the filter score>0.999 keeps exactly the matching trials (%d)" % expected,
          filtered.table.get("data-total") == str(expected), filtered.table.get("data-total"))
    browser.screenshot(big_url + "#/experiment/1", "big-report")
    server = subprocess.Popen([args.tandem, "dashboard", big, "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = re.search(r":(\d+)/", server.stdout.readline()).group(1)
        check_experiment_page(browser, "http://127.0.0.1:%s/" % port, "100k dashboard", big,
                              [("score", True), ("decision_sum", False)], ("decision_sum", False))
    finally:
        server.terminate()
        server.wait(timeout=10)

    # 4. Several seeds of one search compared, against the table's optimum.
    seeds = os.path.join(folder, "seeds.db")
    table = os.path.join(args.source, "data", "nas-bench-201", "nb201_accuracy_cost.csv")
    for seed in range(3):
        config = os.path.join(folder, "seed%d.yaml" % seed)
        with open(config, "w") as out:
            out.write("name: random_seed%d\nseed: %d\nspace: {name: nb201}\nstrategy: random\n"
                      "evaluators: [{name: table, options: {path: %s, metrics: [c10valid_val_acc_12ep]}}]\n"
                      "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize}]\n"
                      "budget: {trials: 60}\n" % (seed, seed, table))
        subprocess.run([args.tandem, "run", config, "--db", seeds, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
    seeds_report = os.path.join(folder, "seeds.html")
    subprocess.run([args.tandem, "report", seeds, "-o", seeds_report], check=True,
                   stdout=subprocess.DEVNULL)
    compare_url = "file://" + seeds_report + "#/compare?ids=1,2,3&metric=c10valid_val_acc_12ep"
    compare = browser.dom(compare_url, "compare")
    common_checks(compare, "compare")
    plots = compare.plot("compare")
    with open(table) as csv_file:
        header = csv_file.readline().strip().split(",")
        column = header.index("c10valid_val_acc_12ep")
        optimum = max(float(line.split(",")[column]) for line in csv_file if line.strip())
    check("compare: 3 anytime curves with a confidence band",
          len(plots) == 1 and plots[0].get("data-series") == "3" and plots[0].get("data-band") == "1",
          plots)
    check("compare: the table optimum (%g) is drawn" % optimum,
          bool(plots) and plots[0].get("data-optimum") and
          abs(float(plots[0].get("data-optimum")) - optimum) < 1e-9, plots)
    browser.screenshot(compare_url, "compare-seeds")

    # 5. `tandem bench search --format html`: strategies against random search over budgets, the
    #    table as the command computes it, and a config path with markup in it shown as text.
    odd = os.path.join(folder, "bench <i>x</i> & 'q'")
    os.makedirs(odd)
    bench_config = os.path.join(odd, "bench.yaml")
    with open(bench_config, "w") as out:
        out.write("name: bench_page\nseed: 0\nspace: {name: nb201}\nstrategy: random\n"
                  "evaluators: [{name: table, options: {path: %s, metrics: [c10valid_val_acc_12ep, flops_M_c10]}}]\n"
                  "objectives: [{metric: c10valid_val_acc_12ep, direction: maximize},"
                  " {metric: flops_M_c10, direction: minimize}]\n"
                  "budget: {trials: 50}\n" % table)
    bench_csv = subprocess.run([args.tandem, "bench", "search", bench_config, "--seeds", "3",
                                "--budgets", "20,50", "--strategy", "pareto_local_search",
                                "--compare", "nsga2", "--format", "csv"],
                               check=True, capture_output=True, text=True).stdout
    bench_page = os.path.join(folder, "bench.html")
    with open(bench_page, "w") as out:
        subprocess.run([args.tandem, "bench", "search", bench_config, "--seeds", "3",
                        "--budgets", "20,50", "--strategy", "pareto_local_search",
                        "--compare", "nsga2", "--format", "html"], check=True, stdout=out)
    bench = browser.dom("file://" + bench_page, "bench page")
    common_checks(bench, "bench page")
    plots = bench.plot("bench")
    csv_rows = [line.split(",") for line in bench_csv.strip().splitlines()[1:]]
    check("bench page: one curve per strategy (2) and random search, every budget a point",
          len(plots) == 1 and plots[0].get("data-strategies") == "2" and
          int(plots[0].get("data-points", "0")) >= 3 * 2 * 2, plots)
    check("bench page: the table holds the rows the csv output has (%d)" % len(csv_rows),
          all(row[0] in bench.text and row[3] in bench.text for row in csv_rows) and len(csv_rows) == 4,
          csv_rows)
    check("bench page: the config path's markup is shown as text",
          "bench <i>x</i> & 'q'" in bench.text, bench.text[:300])
    browser.screenshot("file://" + bench_page, "bench-page")

    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(browser.profile, ignore_errors=True)
    print("%d check(s) failed" % len(FAILURES) if FAILURES else "all browser checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
