#!/usr/bin/env python3
"""Error streams and River's detections for bench/detection-quality.ts.

Two commands, both run by the TypeScript bench (bench/README.md, "detection-quality.ts", says how to run it all):

    python bench/detection_quality_peers.py generate --dir D --length N --position P --widths 1,5000 --seeds 1,2,3
    python bench/detection_quality_peers.py detect --dir D --warmup W --dummy-period T

`generate` builds, for every scenario x width x seed, a concept-drift stream with River and the error stream of a
Hoeffding tree trained on it prequentially (predict, then learn, on every sample), and writes it to D/<id>.u8 (one
byte per sample: 1 = the prediction was wrong) plus D/manifest.json describing every stream. Streams are built in two
processes (the machines this runs on have 2 cpus). It is run once; the bench reuses the files while the parameters
are unchanged.

Scenarios (Poenaru-Olaru et al., arXiv 2211.13098, after MOA; MOA's function numbers are 1-based, River's 0-based):
  sea-n0   SEA f3 -> f2 (River variant 2 -> 1), no label noise
  sea-n10  the same with 10% label noise
  agraw1   Agrawal f1 -> f6 (classification_function 0 -> 5)
  agraw2   Agrawal f6 -> f1 (classification_function 5 -> 0)
The stream before the drift uses seed s, the stream after it seed s + 100, the mixing seed s.

Mixing. River's ConceptDriftStream (river/datasets/synth/concept_drift_stream.py) draws from the drift stream with
probability 1 / (1 + exp(-4 (t - position) / width)), t = 1, 2, ... It evaluates exp() of 4 (position - t) / width,
which overflows (OverflowError) when that exceeds ~709.78: with width 1 every t more than 177 samples before the
position. So an abrupt drift at 55,000 cannot be generated with it. For widths where River does not overflow we use
River's class as it is; otherwise `mix()` below draws with the same random.Random(seed) sequence and the same
probability, except that an overflowing exponent gives probability 0 (its limit). `check_mix()` verifies at start
that `mix()` reproduces ConceptDriftStream sample for sample where River can run.

`detect` reads D/manifest.json and the streams and runs River's detectors with their defaults (ADWIN, DDM, EDDM,
HDDM_A, PageHinkley), River's DummyDriftDetector (fixed trigger every T samples) and NoDrift on every stream from
index W on (the detectors see nothing of the first W samples, while the tree learns), and prints one JSON object:
{"versions": ..., "results": {stream id: {detector: {"drifts": [indices in the stream], "seconds": s}}}}.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import numpy as np
from river import drift, tree
from river.datasets import synth

SCENARIOS = {
    "sea-n0": {"family": "SEA", "before": 2, "after": 1, "noise": 0.0},
    "sea-n10": {"family": "SEA", "before": 2, "after": 1, "noise": 0.1},
    "agraw1": {"family": "Agrawal", "before": 0, "after": 5, "noise": 0.0},
    "agraw2": {"family": "Agrawal", "before": 5, "after": 0, "noise": 0.0},
}


def make_stream(scenario: str, seed: int, which: str):
    spec = SCENARIOS[scenario]
    concept = spec[which]
    stream_seed = seed if which == "before" else seed + 100
    if spec["family"] == "SEA":
        return synth.SEA(variant=concept, noise=spec["noise"], seed=stream_seed)
    return synth.Agrawal(classification_function=concept, seed=stream_seed, perturbation=spec["noise"])


def river_overflows(position: int, width: int) -> bool:
    """True when ConceptDriftStream would raise OverflowError at t = 1 (the largest exponent it evaluates)."""
    return 4.0 * (position - 1) / width > 709.0


def mix(stream, drift_stream, position: int, width: int, seed: int):
    """ConceptDriftStream's draw, with exp() overflow read as probability 0 (see the module docstring)."""
    rng = random.Random(seed)
    before = iter(stream)
    after = iter(drift_stream)
    t = 0
    while True:
        t += 1
        v = -4.0 * float(t - position) / float(width)
        p = 0.0 if v > 709.0 else 1.0 / (1.0 + math.exp(v))
        yield next(before) if rng.random() > p else next(after)


def concept_drift_stream(scenario: str, seed: int, position: int, width: int):
    before = make_stream(scenario, seed, "before")
    after = make_stream(scenario, seed, "after")
    if river_overflows(position, width):
        return mix(before, after, position, width, seed)
    return iter(synth.ConceptDriftStream(before, after, position=position, width=width, seed=seed))


def check_mix() -> None:
    """mix() must equal River's ConceptDriftStream wherever River runs: abrupt near the start, and gradual."""
    for scenario, position, width, n in (("sea-n10", 150, 1, 400), ("agraw1", 2000, 500, 4000)):
        ours = mix(make_stream(scenario, 3, "before"), make_stream(scenario, 3, "after"), position, width, 3)
        cds = synth.ConceptDriftStream(
            make_stream(scenario, 3, "before"), make_stream(scenario, 3, "after"), position=position, width=width, seed=3
        )
        for (xa, ya), (xb, yb) in itertools.islice(zip(ours, cds), n):
            if xa != xb or ya != yb:
                raise SystemExit(f"mix() differs from ConceptDriftStream on {scenario} width {width}")


def error_stream(job: dict) -> dict:
    """Prequential errors of River's HoeffdingTreeClassifier (defaults) on one drift stream."""
    started = time.perf_counter()
    model = tree.HoeffdingTreeClassifier()
    n = job["length"]
    errors = np.zeros(n, dtype=np.uint8)
    stream = concept_drift_stream(job["scenario"], job["seed"], job["position"], job["width"])
    for i, (x, y) in enumerate(itertools.islice(stream, n)):
        errors[i] = model.predict_one(x) != y
        model.learn_one(x, y)
    errors.tofile(job["path"])
    return {"errors": int(errors.sum()), "seconds": time.perf_counter() - started}


def generate(args: argparse.Namespace) -> None:
    check_mix()
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    widths = [int(w) for w in args.widths.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = []
    for scenario, width, seed in itertools.product(SCENARIOS, widths, seeds):
        sid = f"{scenario}-w{width}-s{seed}"
        jobs.append(
            {
                "id": sid,
                "scenario": scenario,
                "width": width,
                "seed": seed,
                "length": args.length,
                "position": args.position,
                "path": str(directory / f"{sid}.u8"),
            }
        )
    started = time.perf_counter()
    streams = []
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        for job, result in zip(jobs, pool.map(error_stream, jobs)):
            print(f"[peers] {job['id']}: {result['errors']} errors, {result['seconds']:.1f} s", file=sys.stderr)
            spec = SCENARIOS[job["scenario"]]
            streams.append(
                {
                    "id": job["id"],
                    "file": f"{job['id']}.u8",
                    "scenario": job["scenario"],
                    "generator": spec["family"],
                    "conceptBefore": spec["before"],
                    "conceptAfter": spec["after"],
                    "noise": spec["noise"],
                    "width": job["width"],
                    "seed": job["seed"],
                    "length": job["length"],
                    "position": job["position"],
                    "riverConceptDriftStream": not river_overflows(job["position"], job["width"]),
                    "errors": result["errors"],
                }
            )
    manifest = {
        "classifier": "river.tree.HoeffdingTreeClassifier() (defaults), prequential: predict then learn",
        "versions": {"river": version("river"), "numpy": version("numpy"), "python": sys.version.split()[0]},
        "length": args.length,
        "position": args.position,
        "widths": widths,
        "seeds": seeds,
        "seconds": time.perf_counter() - started,
        "streams": streams,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"[peers] generated {len(streams)} error streams in {manifest['seconds']:.0f} s", file=sys.stderr)


def river_detectors(dummy_period: int) -> dict:
    return {
        "adwin": lambda: drift.ADWIN(),
        "ddm": lambda: drift.binary.DDM(),
        "eddm": lambda: drift.binary.EDDM(),
        "hddm-a": lambda: drift.binary.HDDMA(),
        "page-hinkley": lambda: drift.PageHinkley(),
        "dummy-periodic": lambda: drift.DummyDriftDetector(trigger_method="fixed", t_0=dummy_period),
        "dummy-never": lambda: drift.NoDrift(),
    }


def detect(args: argparse.Namespace) -> None:
    directory = Path(args.dir)
    manifest = json.loads((directory / "manifest.json").read_text())
    factories = river_detectors(args.dummy_period)
    results = {}
    for stream in manifest["streams"]:
        values = np.fromfile(directory / stream["file"], dtype=np.uint8)[args.warmup :].tolist()
        per = {}
        for name, make in factories.items():
            detector = make()
            drifts = []
            started = time.perf_counter()
            for i, x in enumerate(values):
                detector.update(x)
                if detector.drift_detected:
                    drifts.append(i + args.warmup)
            per[name] = {"drifts": drifts, "seconds": time.perf_counter() - started}
        results[stream["id"]] = per
        print(f"[peers] River detectors on {stream['id']}", file=sys.stderr)
    json.dump({"versions": {"river": version("river"), "python": sys.version.split()[0]}, "results": results}, sys.stdout)
    sys.stdout.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--dir", required=True)
    g.add_argument("--length", type=int, default=100_000)
    g.add_argument("--position", type=int, default=55_000)
    g.add_argument("--widths", default="1,5000")
    g.add_argument("--seeds", default="1,2,3,4,5")
    g.add_argument("--processes", type=int, default=2)
    d = sub.add_parser("detect")
    d.add_argument("--dir", required=True)
    d.add_argument("--warmup", type=int, default=30_000)
    d.add_argument("--dummy-period", type=int, default=4_000)
    args = parser.parse_args()
    if args.command == "generate":
        generate(args)
    else:
        detect(args)


if __name__ == "__main__":
    main()
