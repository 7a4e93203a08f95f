/**
 * Event-time behaviour of a whole topology, driven by hand through TopologyTestDriver: out-of-order events, late events
 * under each policy, an idle partition, a quiet stream, segments, overlapping and session windows, the previous-period
 * reference, calibrated levels and the multiple-testing correction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Baseline } from '../../src/baseline/baseline-types.ts';
import { buildBaseline, type ReferenceColumn } from '../../src/baseline/build-baseline.ts';
import { SeededRandom } from '../../src/core/random/seeded-random.ts';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.ts';
import { parseTopology } from '../../src/topology/load-topology.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 1, 0, 0);

interface Row {
  t: number;
  x: number | null;
  c: string;
  seg?: string;
}

const record = (r: Row) => ({
  event_time: r.t,
  model_name: 'm',
  model_version: '1',
  features: { x: r.x, c: r.c, seg: r.seg ?? 'a' },
});

/** n rows spread evenly over [from, from + spanMs), x ~ U(shift, 1 + shift), c 50/50 ("b" share moved by cShift). */
function rows(
  seed: number,
  n: number,
  from: number,
  spanMs: number,
  shift = 0,
  cShift = 0,
  seg?: string,
): Row[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    t: from + Math.floor((i * spanMs) / n),
    x: random.next() + shift,
    c: random.next() < 0.5 + cShift ? 'b' : 'a',
    ...(seg !== undefined ? { seg } : {}),
  }));
}

let baseline: Baseline;
beforeAll(() => {
  const reference = rows(7, 20_000, 0, 1);
  const columns = new Map<string, ReferenceColumn>([
    ['x', { kind: 'numeric', values: Float64Array.from(reference, (r) => r.x!) }],
    ['c', { kind: 'categorical', values: reference.map((r) => r.c) }],
  ]);
  baseline = buildBaseline(columns, {
    name: 'driver-test',
    source: { description: 'generated', fingerprint: 'sha256:0', rows: reference.length },
    now: () => new Date(0),
  });
});

function topology(window: string, extra = ''): string {
  return `apiVersion: driftwatch/v1
name: driver-test
source:
  topic: t
  eventTime: event_time
baseline: unused.json
window:
${window}
features:
  - name: x
    field: features.x
    kind: numeric
    tests: [psi]
  - name: c
    field: features.c
    kind: categorical
    tests: [js]
${extra}`;
}

async function driver(window: string, extra = '') {
  return TopologyTestDriver.create({
    topology: parseTopology(topology(window, extra), 'driver-test.yaml'),
    baseline,
    startTime: T0,
    chunkRows: 128,
  });
}

const TUMBLING = `  type: tumbling
  size: 1m
  outOfOrderness: 10s`;

describe('TopologyTestDriver: event time', () => {
  it('puts out-of-order events in their own windows and emits each window once, in order', async () => {
    const d = await driver(TUMBLING);
    const a = rows(1, 300, T0, MIN);
    const b = rows(2, 300, T0 + MIN, MIN);
    // Interleave: the second window's events arrive before some of the first's, within the bound.
    d.pipe([...a.slice(0, 250), ...b.slice(0, 20), ...a.slice(250), ...b.slice(20)].map(record));
    await d.settle();
    // The watermark is just below T0 + 2m - 10s: the first window has closed, the second not yet.
    expect(d.results.map((r) => [r.start - T0, r.rows])).toEqual([[0, 300]]);
    d.pipe([record({ t: T0 + 2 * MIN + 10_000, x: 0.5, c: 'a' })]);
    await d.settle();
    expect(d.results.map((r) => [r.start - T0, r.rows])).toEqual([
      [0, 300],
      [MIN, 300],
    ]);
    expect(d.counters.late).toBe(0);
    await d.end();
    expect(d.results.map((r) => r.start - T0)).toEqual([0, MIN, 2 * MIN]);
    expect(d.results.every((r) => r.revision === 0)).toBe(true);
  });

  it('finds drift in the drifted window only, with warning and critical severities', async () => {
    const d = await driver(TUMBLING);
    d.pipe(rows(3, 2000, T0, MIN).map(record));
    d.pipe(rows(4, 2000, T0 + MIN, MIN, 0.5, 0.3).map(record));
    await d.end();
    const [calm, drifted] = d.results;
    expect(calm!.statistics.filter((s) => s.drift)).toEqual([]);
    const bad = drifted!.statistics.filter((s) => s.drift);
    expect(bad.map((s) => [s.feature, s.test, s.severity])).toEqual([
      ['x', 'psi', 'critical'],
      ['c', 'js', 'critical'],
    ]);
    // Half of the shifted x lies above the baseline's maximum: the out-of-range guardrail fires first.
    expect(d.alerts.map((a) => [a.feature, a.window_start - T0, a.statistic, a.severity])).toEqual([
      ['x', MIN, 'out_of_range', 'critical'],
      ['x', MIN, 'psi', 'critical'],
      ['c', MIN, 'js', 'critical'],
    ]);
    expect(calm!.quality.every((q) => q.severity === null && q.judged)).toBe(true);
  });

  it('drops and counts late events under the drop policy', async () => {
    const d = await driver(`${TUMBLING}\n  late: drop`);
    d.pipe(rows(5, 100, T0, MIN).map(record));
    d.pipe([record({ t: T0 + MIN + 20_000, x: 0.5, c: 'a' })]);
    await d.settle();
    expect(d.results).toHaveLength(1);
    d.pipe([record({ t: T0 + 5_000, x: 0.1, c: 'a' }), record({ t: T0 + MIN + 1, x: 0.1, c: 'a' })]);
    await d.end();
    expect(d.counters.late).toBe(1);
    expect(d.late.map((l) => [l.eventTime - T0, l.offset])).toEqual([[5_000, 101]]);
    expect(d.results.map((r) => [r.start - T0, r.rows])).toEqual([
      [0, 100],
      [MIN, 2],
    ]);
  });

  it('reports late events for the side topic under side-topic, and counts them', async () => {
    const d = await driver(`${TUMBLING}\n  late: side-topic`);
    expect(d.topology.outputs.lateEventsTopic).toBe('driftwatch.late-events');
    d.pipe(rows(5, 100, T0, MIN).map(record));
    d.pipe([record({ t: T0 + MIN + 20_000, x: 0.5, c: 'a' })]);
    d.pipe([record({ t: T0 + 1, x: 0.1, c: 'a' })]);
    await d.end();
    expect(d.late).toHaveLength(1);
    expect(d.late[0]!.watermark).toBe(T0 + MIN + 10_000);
    expect(d.counters.late).toBe(1);
  });

  it('updates and re-emits a closed window under update, within retention, then drops', async () => {
    const d = await driver(`${TUMBLING}\n  late:\n    policy: update\n    retention: 2m`);
    d.pipe(rows(5, 100, T0, MIN).map(record));
    d.pipe([record({ t: T0 + MIN + 20_000, x: 0.5, c: 'a' })]);
    await d.settle();
    const first = d.results[0]!;
    d.pipe([record({ t: T0 + 30_000, x: 0.2, c: 'b' })]);
    await d.settle();
    const revised = d.results.filter((r) => r.start === T0);
    expect(revised.map((r) => [r.revision, r.rows])).toEqual([
      [0, 100],
      [1, 101],
    ]);
    expect(revised[1]!.windowKey).toBe(first.windowKey);
    expect(d.counters.updated).toBe(1);
    // Past end + retention (T0 + 3m) the window's state is gone and a late event is dropped.
    d.pipe([record({ t: T0 + 4 * MIN, x: 0.5, c: 'a' })]);
    d.pipe([record({ t: T0 + 30_000, x: 0.2, c: 'b' })]);
    await d.end();
    expect(d.counters.late).toBe(1);
    expect(d.results.filter((r) => r.start === T0)).toHaveLength(2);
    // Retained windows held their offsets; once every retention passed, everything read is committable.
    expect(d.ledger.committable(0)).toBe(104);
    expect(d.ledger.holderCount).toBe(0);
  });

  it('an assigned partition that never delivers holds the watermark until idleTimeout', async () => {
    const d = await driver(`${TUMBLING}\n  idleTimeout: 30s`);
    d.assign([0, 1]);
    d.pipe(rows(6, 100, T0, MIN).map(record), { partition: 0 });
    d.pipe([record({ t: T0 + 2 * MIN, x: 0.5, c: 'a' })], { partition: 0 });
    await d.settle();
    expect(d.results).toHaveLength(0);
    d.advanceWallClock(29_000);
    await d.settle();
    expect(d.results).toHaveLength(0);
    d.advanceWallClock(1_000);
    await d.settle();
    expect(d.results.map((r) => r.start - T0)).toEqual([0]);
  });

  it('a slow partition holds the watermark back while it is active', async () => {
    const d = await driver(`${TUMBLING}\n  idleTimeout: 30s`);
    d.assign([0, 1]);
    d.pipe(rows(6, 100, T0, MIN).map(record), { partition: 0 });
    d.pipe([record({ t: T0 + 10_000, x: 0.5, c: 'a' })], { partition: 1 });
    d.pipe([record({ t: T0 + 3 * MIN, x: 0.5, c: 'a' })], { partition: 0 });
    await d.settle();
    expect(d.watermark()).toBe(T0);
    expect(d.results).toHaveLength(0);
    d.pipe([record({ t: T0 + 2 * MIN, x: 0.5, c: 'a' })], { partition: 1 });
    await d.settle();
    expect(d.results.map((r) => r.start - T0)).toEqual([0]);
  });

  it('closes windows of a quiet stream after quietClose of wall-clock silence', async () => {
    const d = await driver(`${TUMBLING}\n  quietClose: 5s`);
    d.pipe(rows(6, 100, T0, 50_000).map(record));
    d.advanceWallClock(4_000);
    await d.settle();
    expect(d.results).toHaveLength(0);
    d.advanceWallClock(MIN + 5_000);
    await d.settle();
    expect(d.results.map((r) => [r.start - T0, r.rows])).toEqual([[0, 100]]);
  });

  it('rejects records the topology cannot use, with a reason, and keeps the rest', async () => {
    const d = await driver(TUMBLING);
    const good = rows(6, 10, T0, MIN).map(record);
    const bad = { ...record({ t: T0, x: 1, c: 'a' }), event_time: 'yesterday' };
    const r = d.pipe([...good.slice(0, 5), bad, ...good.slice(5)]);
    expect(r).toEqual({ rows: 10, rejected: 1 });
    expect(d.rejected[0]).toMatchObject({ offset: 5, code: 'DW_EVENT_INVALID' });
    expect(d.rejected[0]!.reason).toContain('event_time');
  });
});

describe('TopologyTestDriver: segments', () => {
  const SEGMENTS = `segments:
  field: features.seg
  maxValues: 2
  other: rest`;

  it('evaluates each segment and the whole stream; a drift in one segment is attributed to it', async () => {
    const d = await driver(TUMBLING, SEGMENTS);
    d.pipe(
      [
        ...rows(1, 1500, T0, MIN, 0, 0, 'de'),
        ...rows(2, 1500, T0, MIN, 0.6, 0, 'fr'),
        ...rows(3, 300, T0, MIN, 0, 0, 'it'),
        ...rows(4, 300, T0, MIN, 0, 0, 'es'),
      ].map(record),
    );
    await d.end();
    expect(d.results.map((r) => [r.segment, r.rows])).toEqual([
      ['de', 1500],
      ['fr', 1500],
      ['rest', 600],
      ['*', 3600],
    ]);
    const drifted = d.alerts.filter((a) => a.feature === 'x').map((a) => a.segment);
    expect(drifted).toContain('fr');
    expect(drifted).not.toContain('de');
    expect(drifted).not.toContain('rest');
    // Alert ids differ per segment.
    expect(new Set(d.alerts.map((a) => a.alert_id)).size).toBe(d.alerts.length);
  });
});

describe('TopologyTestDriver: other windows', () => {
  it('hopping windows overlap: each event counts in size / advance windows', async () => {
    const d = await driver(`  type: hopping\n  size: 2m\n  advance: 1m`);
    d.pipe(rows(1, 120, T0, 2 * MIN).map(record));
    await d.end();
    expect(d.results.map((r) => [r.start - T0, r.end - r.start, r.rows])).toEqual([
      [-MIN, 2 * MIN, 60],
      [0, 2 * MIN, 120],
      [MIN, 2 * MIN, 60],
    ]);
  });

  it('sliding windows cover the last size, evaluated every slide', async () => {
    const d = await driver(`  type: sliding\n  size: 3m\n  slide: 1m`);
    d.pipe(rows(1, 180, T0, 3 * MIN).map(record));
    await d.end();
    expect(d.results.map((r) => r.rows)).toEqual([60, 120, 180, 120, 60]);
  });

  it('session windows follow bursts of activity', async () => {
    const d = await driver(`  type: session\n  gap: 5m`);
    d.pipe([...rows(1, 50, T0, MIN), ...rows(2, 70, T0 + 20 * MIN, 2 * MIN)].map(record));
    await d.end();
    expect(d.results.map((r) => [r.start - T0, r.rows])).toEqual([
      [0, 50],
      [20 * MIN, 70],
    ]);
  });
});

describe('TopologyTestDriver: references and levels', () => {
  it('also compares each window with the previous one when previousPeriod is set', async () => {
    const text = topology(TUMBLING).replace(
      'baseline: unused.json',
      'baseline:\n  file: unused.json\n  previousPeriod: true',
    );
    const d = await TopologyTestDriver.create({
      topology: parseTopology(text, 'driver-test.yaml'),
      baseline,
      startTime: T0,
    });
    d.pipe(rows(1, 2000, T0, MIN).map(record));
    d.pipe(rows(2, 2000, T0 + MIN, MIN, 0.5).map(record));
    d.pipe(rows(3, 2000, T0 + 2 * MIN, MIN, 0.5).map(record));
    await d.end();
    const previousX = d.results.map((r) =>
      r.statistics.find((s) => s.reference === 'previous' && s.feature === 'x'),
    );
    expect(previousX[0]).toBeUndefined();
    expect(previousX[1]!.drift).toBe(true);
    // The third window looks like the second: no drift against it, though it still drifts from the baseline.
    expect(previousX[2]!.drift).toBe(false);
    expect(d.results[2]!.statistics.find((s) => s.reference === 'baseline' && s.feature === 'x')!.drift).toBe(
      true,
    );
  });

  it('calibrates levels on the baseline reference chunks: a normal window stays quiet, a shifted one fires', async () => {
    const reference = rows(11, 20_000, 0, 1);
    const calibrated = buildBaseline(
      new Map<string, ReferenceColumn>([
        ['x', { kind: 'numeric', values: Float64Array.from(reference, (r) => r.x!) }],
        ['c', { kind: 'categorical', values: reference.map((r) => r.c) }],
      ]),
      {
        name: 'driver-test',
        source: { description: 'generated', fingerprint: 'sha256:1', rows: reference.length },
        chunks: { by: 'rows', size: 1000 },
        now: () => new Date(0),
      },
    );
    const chunkPsi = calibrated.features.x!.calibration!.statistics.psi!;
    expect(chunkPsi).toHaveLength(20);
    const text = topology(TUMBLING).replace(
      'tests: [psi]',
      'tests:\n      - test: psi\n        calibrate: std\n        warning: 3\n        critical: 6',
    );
    const d = await TopologyTestDriver.create({
      topology: parseTopology(text, 't.yaml'),
      baseline: calibrated,
      startTime: T0,
    });
    d.pipe(rows(12, 1000, T0, MIN).map(record));
    d.pipe(rows(13, 1000, T0 + MIN, MIN, 0.3).map(record));
    await d.end();
    const psi = d.results.map((r) => r.statistics.find((s) => s.feature === 'x')!);
    const mean = chunkPsi.reduce((a, b) => a + b, 0) / chunkPsi.length;
    const std = Math.sqrt(chunkPsi.reduce((a, b) => a + (b - mean) ** 2, 0) / chunkPsi.length);
    expect(psi[0]!.levels).toMatchObject({ rule: 'value-above', source: 'calibrated:std' });
    expect(psi[0]!.levels.warning).toBeCloseTo(mean + 3 * std, 12);
    expect(psi[0]!.levels.critical).toBeCloseTo(mean + 6 * std, 12);
    expect(psi[0]!.severity).toBeNull();
    expect(psi[1]!.severity).toBe('critical');
  });

  it('refuses calibrated levels when the baseline has no reference-chunk statistics', async () => {
    const text = topology(TUMBLING).replace(
      'tests: [psi]',
      'tests:\n      - test: psi\n        calibrate: quantile',
    );
    await expect(
      TopologyTestDriver.create({ topology: parseTopology(text, 't.yaml'), baseline, startTime: T0 }),
    ).rejects.toThrow(/no reference-chunk statistics for psi/);
  });

  it('prediction drift: a class share moving by half against the previous period alerts, inputs quiet', async () => {
    const text = topology(TUMBLING)
      .replace('tests: [js]', 'tests: [share_change]')
      .replace('baseline: unused.json', 'baseline:\n  file: unused.json\n  previousPeriod: true');
    const d = await TopologyTestDriver.create({
      topology: parseTopology(text, 't.yaml'),
      baseline,
      startTime: T0,
    });
    d.pipe(rows(21, 4000, T0, MIN).map(record));
    d.pipe(rows(22, 4000, T0 + MIN, MIN).map(record));
    d.pipe(rows(23, 4000, T0 + 2 * MIN, MIN, 0, 0.25).map(record));
    await d.end();
    const alerts = d.alerts.map((a) => [
      a.window_start - T0,
      a.feature,
      a.statistic,
      a.reference,
      a.severity,
    ]);
    expect(alerts).toEqual([
      [2 * MIN, 'c', 'share_change', 'baseline', 'critical'],
      [2 * MIN, 'c', 'share_change', 'previous', 'critical'],
    ]);
    const moved = d.results[2]!.statistics.find((s) => s.feature === 'c' && s.reference === 'previous')!;
    expect(moved.value).toBeGreaterThan(0.4);
    // "b" rose from half to three quarters; "a" fell from half to a quarter, the larger relative change.
    expect(moved.conventions.largestChange).toMatch(/^a: 0\.\d+ -> 0\.2\d+ \(-/);
  });

  it('data-quality guardrails: a null spike alerts on null_rate, ahead of the drift it causes, at configured levels', async () => {
    const text = topology(TUMBLING).concat(
      'dataQuality:\n  nullRate: { warning: 0.02, critical: 0.1 }\n  minRows: 50\n',
    );
    const d = await TopologyTestDriver.create({
      topology: parseTopology(text, 't.yaml'),
      baseline,
      startTime: T0,
    });
    const spiky = rows(31, 1000, T0 + MIN, MIN).map((r, i) => (i % 20 === 0 ? { ...r, x: null } : r));
    d.pipe(rows(30, 1000, T0, MIN).map(record));
    d.pipe(spiky.map(record));
    await d.end();
    const nulls = d.results.map((r) => r.quality.find((q) => q.feature === 'x' && q.check === 'null_rate')!);
    expect(nulls.map((q) => [q.value, q.severity])).toEqual([
      [0, null],
      [0.05, 'warning'],
    ]);
    // PSI counts nulls in its own bucket, so the spike also moves it; the guardrail comes first and explains it.
    expect(
      d.alerts.map((a) => [a.window_start - T0, a.feature, a.statistic, a.severity, a.levels_source]),
    ).toEqual([
      [MIN, 'x', 'null_rate', 'warning', 'data-quality'],
      [MIN, 'x', 'psi', 'critical', 'fixed'],
    ]);
  });

  it('applies the multiple-testing correction to p-value tests of one window', async () => {
    const text = topology(TUMBLING)
      .replace('tests: [psi]', 'tests:\n      - test: ks\n        warning: 0.05\n        critical: 0.01')
      .replace('tests: [js]', 'tests:\n      - test: chi2\n        warning: 0.05\n        critical: 0.01')
      .concat('thresholds:\n  correction: bonferroni\n');
    const d = await TopologyTestDriver.create({
      topology: parseTopology(text, 't.yaml'),
      baseline,
      startTime: T0,
    });
    d.pipe(rows(9, 400, T0, MIN, 0.05, 0.05).map(record));
    await d.end();
    const stats = d.results[0]!.statistics;
    for (const s of stats) expect(s.adjustedPValue).toBeCloseTo(Math.min(1, s.pValue! * 2), 12);
  });
});

describe('TopologyTestDriver: type mismatches', () => {
  /** The decoded event of `r`, its x replaced by a string when `wrong`. */
  const event = (r: Row, wrong: boolean) => {
    const e = record(r);
    return wrong ? { ...e, features: { ...e.features, x: 'n/a' } } : e;
  };
  /** 1000 events in the first minute: x is a string in 30 of them (every 33rd) and null in 10 others (50, 150, ...). */
  const events = () =>
    rows(40, 1000, T0, MIN).map((r, i) =>
      event(i % 100 === 50 ? { ...r, x: null } : r, i % 33 === 0 && i < 990),
    );
  const quality = (d: TopologyTestDriver, feature: string, check: string) =>
    d.results[0]!.quality.find((q) => q.feature === feature && q.check === check)!;

  it('count: the event is kept, the value is missing for x only, and type_mismatch warns at 0.03', async () => {
    const d = await driver(TUMBLING);
    expect(d.pipe(events())).toEqual({ rows: 1000, rejected: 0 });
    await d.end();
    expect(d.rejected).toEqual([]);
    expect(d.results.map((r) => r.rows)).toEqual([1000]);
    expect(quality(d, 'x', 'type_mismatch')).toMatchObject({
      value: 0.03,
      count: 30,
      rows: 1000,
      baselineRate: 0,
      severity: 'warning',
      threshold: 0.01,
      judged: true,
    });
    // The null rate is the 10 nulls only, below its warning level; the other feature has no mismatch.
    expect(quality(d, 'x', 'null_rate')).toMatchObject({
      value: 0.01,
      count: 10,
      rows: 1000,
      severity: null,
    });
    expect(quality(d, 'c', 'type_mismatch')).toMatchObject({ value: 0, count: 0, severity: null });
    // The feature beside the wrong value counts every event; x counts the 30 as missing, with its 10 nulls.
    const stats = d.results[0]!.statistics;
    expect(stats.find((s) => s.feature === 'c')).toMatchObject({ currentSize: 1000, missing: 0 });
    expect(stats.find((s) => s.feature === 'x')).toMatchObject({ currentSize: 1000, missing: 40 });
    // The guardrail is the first alert of the window, with the data-quality levels.
    expect(d.alerts[0]).toMatchObject({
      feature: 'x',
      statistic: 'type_mismatch',
      severity: 'warning',
      value: 0.03,
      missing: 30,
      levels_source: 'data-quality',
    });
    expect(d.alerts.filter((a) => a.levels_source === 'data-quality')).toHaveLength(1);
  });

  it('dead-letter: the 30 events are rejected with the reason, and nothing is counted as a mismatch', async () => {
    const d = await driver(TUMBLING, 'dataQuality:\n  onTypeMismatch: dead-letter\n');
    const input = events();
    expect(d.pipe(input)).toEqual({ rows: 970, rejected: 30 });
    await d.end();
    expect(d.rejected.map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i * 33));
    expect(new Set(d.rejected.map((r) => `${r.code}: ${r.reason}`))).toEqual(
      new Set(['DW_EVENT_INVALID: numeric feature field features.x is a string ("n/a")']),
    );
    expect(d.results.map((r) => r.rows)).toEqual([970]);
    expect(quality(d, 'x', 'type_mismatch')).toMatchObject({ value: 0, count: 0, severity: null });
    expect(quality(d, 'x', 'null_rate')).toMatchObject({ count: 10, rows: 970 });
    expect(d.results[0]!.statistics.find((s) => s.feature === 'c')).toMatchObject({ currentSize: 970 });
  });

  it('configured levels: a 0.03 share is critical at critical 0.02', async () => {
    const d = await driver(TUMBLING, 'dataQuality:\n  typeMismatch: { warning: 0.005, critical: 0.02 }\n');
    d.pipe(events());
    await d.end();
    expect(quality(d, 'x', 'type_mismatch')).toMatchObject({ severity: 'critical', threshold: 0.02 });
  });

  it('hopping windows and segments: counts merge per window, per segment and for the whole stream', async () => {
    const d = await driver(
      `  type: hopping\n  size: 2m\n  advance: 1m`,
      'segments:\n  field: features.seg\n  overall: true\n',
    );
    // Minute 0: segment a has 10 mismatches in 500 events, b 20 in 500; minute 1: a 5 in 500, b none in 500.
    const burst = (seed: number, from: number, seg: string, wrong: number) =>
      rows(seed, 500, from, MIN, 0, 0, seg).map((r, i) => event(r, i < wrong));
    d.pipe([...burst(1, T0, 'a', 10), ...burst(2, T0, 'b', 20)]);
    d.pipe([...burst(3, T0 + MIN, 'a', 5), ...burst(4, T0 + MIN, 'b', 0)]);
    await d.end();
    const byWindow = d.results.map((r) => {
      const q = r.quality.find((c) => c.feature === 'x' && c.check === 'type_mismatch')!;
      return [r.start - T0, r.segment, q.count, q.rows];
    });
    expect(byWindow).toEqual([
      [-MIN, 'a', 10, 500],
      [-MIN, 'b', 20, 500],
      [-MIN, '*', 30, 1000],
      [0, 'a', 15, 1000],
      [0, 'b', 20, 1000],
      [0, '*', 35, 2000],
      [MIN, 'a', 5, 500],
      [MIN, 'b', 0, 500],
      [MIN, '*', 5, 1000],
    ]);
    const overall = d.results.find((r) => r.start === T0 && r.segment === '*')!;
    expect(overall.quality.find((q) => q.feature === 'x' && q.check === 'type_mismatch')!.value).toBe(
      35 / 2000,
    );
  });
});
