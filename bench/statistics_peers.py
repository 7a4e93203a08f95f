"""Peer timings for bench/statistics-throughput.ts: scipy / numpy and Evidently's per-column stat tests.

Launched once by the TypeScript bench, which writes the data to bench/.data/ as raw little-endian files:

    stats-<N>-<seed>-ref.f64, -cur.f64     numeric reference / current, float64
    stats-<N>-<seed>-cat-ref.i32, -cat-cur.i32   categorical codes 0..7, int32
    stats-<N>-<seed>-bin-ref.i32, -bin-cur.i32   binary codes 0/1, int32

Protocol (one JSON object per line): on start this prints {"hello": ...} with the versions and what is missing; then for
every request line {"n": N, "seed": S, "repeats": R, "budget": seconds} read from stdin it times every peer on that size
and prints {"n": N, "results": {...}}. An empty line or end of input stops it. Progress goes to stderr.

Each peer is timed best-of-R with time.perf_counter(); the pandas Series are built before the clock starts (Evidently's
hellinger test drops NaN in place, so every run gets fresh Series over the same numpy arrays). A peer whose estimated
time at this size (from the previous size, scaled by N log N) exceeds the budget is skipped and says so.
"""

import json
import math
import os
import platform
import sys
import time
import warnings

warnings.simplefilter("ignore")

missing = {}
try:
    import numpy as np
except Exception as error:  # noqa: BLE001
    np = None
    missing["numpy"] = repr(error)
try:
    import scipy
    import scipy.stats as st
    from scipy.spatial.distance import jensenshannon
except Exception as error:  # noqa: BLE001
    scipy = None
    missing["scipy"] = repr(error)
try:
    import pandas as pd
except Exception as error:  # noqa: BLE001
    pd = None
    missing["pandas"] = repr(error)

ev = None
if pd is not None and np is not None and scipy is not None:
    try:
        import evidently
        from evidently.legacy.calculations import stattests as ev_tests
        from evidently.legacy.core import ColumnType

        ev = evidently
    except Exception as error:  # noqa: BLE001
        missing["evidently"] = repr(error)

BINS = 10
EPSILON = 1e-4


def progress(message):
    sys.stderr.write(f"[peers] {message}\n")
    sys.stderr.flush()


def emit(obj):
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
    sys.stdout.flush()


def num(x):
    """A float for JSON; NaN and +-inf as the strings JavaScript's Number() reads back."""
    x = float(x)
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


# Seconds per call measured at the previous size, to skip what would blow the budget.
previous = {}


def timed(key, n, repeats, budget, fn, make_args=lambda: ()):
    """Best of `repeats` runs of fn(*make_args()); returns {"seconds", "runs", "value"} or {"skipped": reason}."""
    if key in previous:
        n0, t0 = previous[key]
        estimate = t0 * (n / n0) * (math.log(n) / math.log(n0))
        if estimate > budget:
            return {
                "skipped": f"estimated {estimate:.0f} s per call at this size ({t0:.2f} s at {n0:.0e}), budget {budget:.0f} s"
            }
        if estimate * repeats > 2 * budget:
            repeats = max(1, int(2 * budget // max(estimate, 1e-9)))
    best = math.inf
    value = None
    runs = 0
    for _ in range(repeats):
        args = make_args()
        start = time.perf_counter()
        value = fn(*args)
        elapsed = time.perf_counter() - start
        runs += 1
        best = min(best, elapsed)
        if elapsed > budget:
            break
    previous[key] = (n, best)
    return {"seconds": best, "runs": runs, "value": value}


def guarded(key, n, repeats, budget, fn, make_args=lambda: ()):
    try:
        return timed(key, n, repeats, budget, fn, make_args)
    except Exception as error:  # noqa: BLE001
        return {"error": f"{type(error).__name__}: {error}"}


def load(data_dir, n, seed, suffix, dtype):
    return np.fromfile(os.path.join(data_dir, f"stats-{n}-{seed}-{suffix}"), dtype=dtype)


# --------------------------------------------------------------------------------------------------------------------
# numpy / scipy on driftwatch's layout: 10 quantile edges fitted once on the reference (numpy.quantile, linear, ties
# collapsed), values below the first edge and above the last in buckets of their own, the last inner bucket closed
# (np.histogram). The per-comparison work is counting the current window and the formula.
# --------------------------------------------------------------------------------------------------------------------


def fit_edges(ref):
    # k / BINS as fitQuantileEdges computes it (np.linspace gives 0.30000000000000004 for k = 3).
    return np.unique(np.quantile(ref, np.arange(BINS + 1) / BINS))


def count(values, edges):
    inner = np.histogram(values, edges)[0]
    below = np.count_nonzero(values < edges[0])
    above = np.count_nonzero(values > edges[-1])
    return np.concatenate(([below], inner, [above])).astype(np.float64)


def replaced(ref_counts, cur_counts):
    """driftwatch's zero rule 'replace' 1e-4: buckets empty on both sides dropped, a zero on one side becomes 1e-4."""
    keep = (ref_counts + cur_counts) > 0
    p = ref_counts[keep] / ref_counts.sum()
    q = cur_counts[keep] / cur_counts.sum()
    p[p == 0] = EPSILON
    q[q == 0] = EPSILON
    return p, q


def np_psi(ref_counts, cur, edges):
    p, q = replaced(ref_counts, count(cur, edges))
    return num(np.sum((p - q) * np.log(p / q)))


def np_kl(ref_counts, cur, edges):
    p, q = replaced(ref_counts, count(cur, edges))
    return num(st.entropy(p, q))


def np_js(ref_counts, cur, edges):
    return num(jensenshannon(ref_counts, count(cur, edges), base=2))


def np_hellinger(ref_counts, cur, edges):
    c = count(cur, edges)
    d = np.sqrt(ref_counts / ref_counts.sum()) - np.sqrt(c / c.sum())
    return num(np.sqrt(np.sum(d * d)) / math.sqrt(2))


def np_linf(ref_counts, cur, edges):
    c = count(cur, edges)
    return num(np.max(np.abs(ref_counts / ref_counts.sum() - c / c.sum())))


def np_chi2(ref_counts, cur_codes, k):
    c = np.bincount(cur_codes, minlength=k).astype(np.float64)
    r = st.chisquare(c, ref_counts * (c.sum() / ref_counts.sum()))
    return {"statistic": num(r.statistic), "p": num(r.pvalue)}


def np_z(ref_counts, cur_codes):
    c = np.bincount(cur_codes, minlength=2).astype(np.float64)
    n1, n2 = ref_counts.sum(), c.sum()
    p1, p2 = ref_counts[1] / n1, c[1] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return {"statistic": num(z), "p": num(2 * st.norm.sf(abs(z)))}


def ad(ref, cur):
    try:
        r = st.anderson_ksamp([ref, cur], variant="midrank")
    except TypeError:  # scipy before 1.17 has no `variant`
        r = st.anderson_ksamp([ref, cur], midrank=True)
    return {"statistic": num(r.statistic), "p": num(r.pvalue)}


def run_size(data_dir, n, seed, repeats, budget):
    ref = load(data_dir, n, seed, "ref.f64", "<f8")
    cur = load(data_dir, n, seed, "cur.f64", "<f8")
    cat_ref = load(data_dir, n, seed, "cat-ref.i32", "<i4")
    cat_cur = load(data_dir, n, seed, "cat-cur.i32", "<i4")
    bin_ref = load(data_dir, n, seed, "bin-ref.i32", "<i4")
    bin_cur = load(data_dir, n, seed, "bin-cur.i32", "<i4")
    for name, a in (("ref", ref), ("cur", cur), ("cat-ref", cat_ref), ("cat-cur", cat_cur)):
        if a.size != n:
            raise ValueError(f"{name}: {a.size} values in the file, expected {n}")
    out = {}

    def put(stat, side, result):
        out.setdefault(stat, {})[side] = result
        shown = f"{result['seconds']:.4f} s" if "seconds" in result else result.get("skipped") or result.get("error")
        progress(f"n={n:.0e} {stat:<11} {side:<9} {shown}")

    # Fit once per baseline (reported separately, not part of the per-comparison rows).
    fit = {}

    def do_fit():
        edges = fit_edges(ref)
        fit["edges"] = edges
        fit["ref_counts"] = count(ref, edges)
        return [num(e) for e in edges]

    put("fit", "scipy", guarded("fit/np", n, repeats, budget, do_fit))
    edges = fit.get("edges")
    ref_counts = fit.get("ref_counts")
    if edges is None:
        edges = fit_edges(ref)
        ref_counts = count(ref, edges)
    cat_ref_counts = np.bincount(cat_ref, minlength=8).astype(np.float64)
    bin_ref_counts = np.bincount(bin_ref, minlength=2).astype(np.float64)

    for stat, fn in (
        ("psi", np_psi),
        ("kl", np_kl),
        ("js", np_js),
        ("hellinger", np_hellinger),
        ("linf", np_linf),
    ):
        put(stat, "scipy", guarded(f"{stat}/np", n, repeats, budget, lambda f=fn: f(ref_counts, cur, edges)))

    def ks():
        r = st.ks_2samp(ref, cur)
        return {"statistic": num(r.statistic), "p": num(r.pvalue)}

    def cvm():
        r = st.cramervonmises_2samp(ref, cur)
        return {"statistic": num(r.statistic), "p": num(r.pvalue)}

    put("ks", "scipy", guarded("ks/scipy", n, repeats, budget, ks))
    put(
        "wasserstein",
        "scipy",
        guarded("w/scipy", n, repeats, budget, lambda: num(st.wasserstein_distance(ref, cur))),
    )
    put("energy", "scipy", guarded("e/scipy", n, repeats, budget, lambda: num(st.energy_distance(ref, cur))))
    put("cvm", "scipy", guarded("cvm/scipy", n, repeats, budget, cvm))
    put("ad", "scipy", guarded("ad/scipy", n, repeats, budget, lambda: ad(ref, cur)))
    put("chi2", "scipy", guarded("chi2/np", n, repeats, budget, lambda: np_chi2(cat_ref_counts, cat_cur, 8)))
    put("z", "scipy", guarded("z/np", n, repeats, budget, lambda: np_z(bin_ref_counts, bin_cur)))

    if ev is not None:
        numeric = ColumnType.Numerical
        categorical = ColumnType.Categorical

        def series(a, b):
            return lambda: (pd.Series(a), pd.Series(b))

        def drift_score(test, kind):
            return lambda r, c: num(test(r, c, kind, None).drift_score)

        for stat, test, kind, a, b in (
            ("psi", ev_tests.psi_stat_test, numeric, ref, cur),
            ("kl", ev_tests.kl_div_stat_test, numeric, ref, cur),
            ("js", ev_tests.jensenshannon_stat_test, numeric, ref, cur),
            ("hellinger", ev_tests.hellinger_stat_test, numeric, ref, cur),
            ("ks", ev_tests.ks_stat_test, numeric, ref, cur),
            ("wasserstein", ev_tests.wasserstein_stat_test, numeric, ref, cur),
            ("energy", ev_tests.energy_dist_test, numeric, ref, cur),
            ("cvm", ev_tests.cramer_von_mises, numeric, ref, cur),
            ("ad", ev_tests.anderson_darling_test, numeric, ref, cur),
            ("chi2", ev_tests.chi_stat_test, categorical, cat_ref, cat_cur),
            ("z", ev_tests.z_stat_test, categorical, bin_ref, bin_cur),
        ):
            put(stat, "evidently", guarded(f"{stat}/ev", n, repeats, budget, drift_score(test, kind), series(a, b)))
    return out


def main():
    data_dir = sys.argv[sys.argv.index("--data-dir") + 1] if "--data-dir" in sys.argv else "bench/.data"
    hello = {
        "hello": True,
        "python": platform.python_version(),
        "executable": sys.executable,
        "numpy": None if np is None else np.__version__,
        "scipy": None if scipy is None else scipy.__version__,
        "pandas": None if pd is None else pd.__version__,
        "evidently": None if ev is None else ev.__version__,
        "missing": missing,
    }
    emit(hello)
    if np is None or scipy is None:
        return
    for line in sys.stdin:
        line = line.strip()
        if not line:
            break
        request = json.loads(line)
        n = int(request["n"])
        try:
            results = run_size(data_dir, n, request["seed"], int(request["repeats"]), float(request["budget"]))
            emit({"n": n, "results": results})
        except Exception as error:  # noqa: BLE001
            emit({"n": n, "error": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
