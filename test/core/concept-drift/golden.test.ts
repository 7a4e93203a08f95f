import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adwin } from '../../../src/core/concept-drift/adwin.ts';
import { Ddm } from '../../../src/core/concept-drift/ddm.ts';
import { type ConceptDriftDetector, detectionIndices } from '../../../src/core/concept-drift/detector.ts';
import { Eddm } from '../../../src/core/concept-drift/eddm.ts';
import { HddmA } from '../../../src/core/concept-drift/hddm-a.ts';
import { PageHinkley } from '../../../src/core/concept-drift/page-hinkley.ts';

/** Shape of test/fixtures/concept-drift/detector-golden.json (written by generate_detector_golden.py with River). */
interface GoldenStream {
  readonly name: string;
  readonly kind: 'binary' | 'real';
  readonly description: string;
  /** Binary streams: a string of '0'/'1'; real streams: numbers. */
  readonly values: string | number[];
}

interface GoldenCase {
  readonly detector: string;
  readonly options: Record<string, unknown>;
  readonly stream: string;
  readonly drifts: number[];
  readonly warningRuns: [number, number][];
  /** ADWIN only: [index, width, sum, sum of squared deviations] after each drift and after the last value. */
  readonly adwinWindows?: [number, number, number, number][];
}

interface Golden {
  readonly versions: { readonly river: string; readonly numpy: string };
  readonly streams: GoldenStream[];
  readonly cases: GoldenCase[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/concept-drift/detector-golden.json', import.meta.url), 'utf8'),
) as Golden;

function decode(stream: GoldenStream): Float64Array {
  if (typeof stream.values === 'string') {
    const out = new Float64Array(stream.values.length);
    for (let i = 0; i < out.length; i++) out[i] = stream.values.charCodeAt(i) - 48;
    return out;
  }
  return Float64Array.from(stream.values);
}

const STREAMS: ReadonlyMap<string, Float64Array> = new Map(golden.streams.map((s) => [s.name, decode(s)]));

function create(name: string, options: Record<string, unknown>): ConceptDriftDetector {
  switch (name) {
    case 'adwin':
      return new Adwin(options);
    case 'ddm':
      return new Ddm(options);
    case 'eddm':
      return new Eddm(options);
    case 'hddm-a':
      return new HddmA(options);
    case 'page-hinkley':
      return new PageHinkley(options);
    default:
      throw new Error(`unknown detector in golden file: ${name}`);
  }
}

function toRuns(indices: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

describe(`concept-drift detectors against River ${golden.versions.river}`, () => {
  it('the golden file covers every detector, with defaults and another setting, on every stream kind', () => {
    const names = new Set(golden.cases.map((c) => c.detector));
    expect([...names].sort()).toEqual(['adwin', 'ddm', 'eddm', 'hddm-a', 'page-hinkley']);
    for (const name of names) {
      const settings = new Set(
        golden.cases.filter((c) => c.detector === name).map((c) => JSON.stringify(c.options)),
      );
      expect(settings.has('{}')).toBe(true);
      expect(settings.size).toBeGreaterThanOrEqual(2);
    }
    // The cases must actually exercise the detectors: drifts and warnings in some, none in others.
    expect(golden.cases.filter((c) => c.drifts.length > 0).length).toBeGreaterThan(50);
    expect(golden.cases.filter((c) => c.warningRuns.length > 0).length).toBeGreaterThan(20);
    for (const stream of golden.streams) expect(STREAMS.get(stream.name)!.length).toBeGreaterThan(0);
  });

  for (const c of golden.cases) {
    it(`${c.detector} ${JSON.stringify(c.options)} on ${c.stream}: same drift and warning indices`, () => {
      const values = STREAMS.get(c.stream);
      expect(values, `stream ${c.stream}`).toBeDefined();
      const result = detectionIndices(create(c.detector, c.options), values!);
      expect(result.drifts).toEqual(c.drifts);
      expect(toRuns(result.warnings)).toEqual(c.warningRuns);
    });
  }

  // The indices alone do not show how far ADWIN cut its window at a drift (River resets it at the next update), so
  // the window's statistics after each drift and at the end of the stream are compared too.
  for (const c of golden.cases.filter((g) => g.adwinWindows !== undefined)) {
    it(`adwin ${JSON.stringify(c.options)} on ${c.stream}: same window after each drift and at the end`, () => {
      const values = STREAMS.get(c.stream)!;
      const wanted = new Set(c.adwinWindows!.map((w) => w[0]));
      const d = new Adwin(c.options);
      const seen: [number, number, number, number][] = [];
      for (let i = 0; i < values.length; i++) {
        d.update(values[i]!);
        if (wanted.has(i)) seen.push([i, d.width, d.total, d.variance * d.width]);
      }
      expect(seen.map((w) => [w[0], w[1]])).toEqual(c.adwinWindows!.map((w) => [w[0], w[1]]));
      for (const [k, [, , total, squares]] of c.adwinWindows!.entries()) {
        expect(seen[k]![2]).toBeCloseTo(total, 9);
        expect(Math.abs(seen[k]![3] - squares)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(squares)));
      }
    });
  }
});
