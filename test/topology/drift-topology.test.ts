/**
 * DriftTopology (src/topology/drift-topology.ts) driven by hand: a ManualClock, an in-thread task runner, a baseline
 * built from the demo generator, and batches extracted from generated events. The event-time behaviour of whole
 * topologies is tested through TopologyTestDriver in test/testing/.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Baseline } from '../../src/baseline/baseline-types.ts';
import { ManualClock } from '../../src/core/time/clock.ts';
import { OffsetLedger } from '../../src/core/window/offset-ledger.ts';
import { type CreditRiskEvent, DEMO_DRIFT, NO_DRIFT } from '../../src/demo/credit-risk-events.ts';
import { BatchExtractor } from '../../src/engine/batch-extractor.ts';
import { DriftTopology, type WindowResult } from '../../src/topology/drift-topology.ts';
import { type DriftTask, runDriftTask } from '../../src/worker/drift-task.ts';
import { CREDIT_RISK_TOPOLOGY, generateEvents, trainingBaseline } from '../support/credit-risk-fixture.ts';

const MIN = 60_000;
/** A minute boundary, so window starts are T0 + k minutes. */
const T0 = Date.UTC(2026, 2, 1, 12, 0);
const FEATURES = ['amount', 'age', 'income', 'channel', 'country'];

let baseline: Baseline;
beforeAll(() => {
  baseline = trainingBaseline(1234, 20_000);
});

const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function harness(options: { chunkRows?: number; delay?: (task: DriftTask) => number } = {}) {
  const clock = new ManualClock(T0 - MIN);
  const ledger = new OffsetLedger();
  const extractor = new BatchExtractor(CREDIT_RISK_TOPOLOGY);
  const tasks: DriftTask[] = [];
  const flow = new DriftTopology({
    topology: CREDIT_RISK_TOPOLOGY,
    baseline,
    layout: extractor.layout,
    runner: {
      run: async (task) => {
        tasks.push(task);
        const ms = options.delay?.(task) ?? 0;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
        return runDriftTask(task);
      },
    },
    ledger,
    clock,
    chunkRows: options.chunkRows ?? 256,
  });
  const results: WindowResult[] = [];
  const errors: unknown[] = [];
  flow.results$.subscribe({ next: (r) => results.push(r), error: (e) => errors.push(e) });
  const nextOffset = new Map<number, number>();

  /**
   * Pushes `events` as one batch of `partition`, at wall time `wall`, by default the latest event time (events
   * arrive as they happen); the clock never goes backwards.
   */
  function push(events: readonly CreditRiskEvent[], partition = 0, wall?: number): void {
    const start = nextOffset.get(partition) ?? 0;
    const offsets = events.map((_, i) => start + i);
    nextOffset.set(partition, start + events.length);
    const at = wall ?? Math.max(...events.map((e) => e.event_time));
    if (at > clock.now()) clock.set(at);
    const { batch, rejected } = extractor.extract(partition, events, offsets);
    expect(rejected).toEqual([]);
    flow.input$.next({ kind: 'batch', batch });
    ledger.advance(partition, start + events.length);
  }

  /** Pushes `events` in batches of `size`. */
  function pushAll(events: readonly CreditRiskEvent[], size = 200, partition = 0, wall?: number): void {
    for (let i = 0; i < events.length; i += size) push(events.slice(i, i + size), partition, wall);
  }

  function tick(at?: number): void {
    if (at !== undefined) clock.set(at);
    flow.input$.next({ kind: 'tick' });
  }

  return { clock, ledger, flow, results, errors, tasks, push, pushAll, tick };
}

function statistic(result: WindowResult, feature: string) {
  const s = result.statistics.find((x) => x.feature === feature);
  if (s === undefined) throw new Error(`no statistic for ${feature}`);
  return s;
}

describe('DriftTopology: closing windows', () => {
  it('closes each window once, in order, when the watermark passes its end', async () => {
    const h = harness();
    // One event every 500 ms for three minutes: 120 per window.
    const events = generateEvents(41, 360, T0, NO_DRIFT, 500);
    h.pushAll(
      events.filter((e) => e.event_time < T0 + MIN + 4_999),
      50,
    );
    await flush();
    // Latest event T0 + 64.5s: watermark T0 + 59.5s, window [T0, T0 + 1m) still open.
    expect(h.flow.watermark()).toBe(T0 + MIN - 500);
    expect(h.results).toEqual([]);
    expect(h.flow.openWindows).toBe(2);

    h.push(events.filter((e) => e.event_time >= T0 + MIN + 4_999 && e.event_time <= T0 + MIN + 5_000));
    await flush();
    expect(h.flow.watermark()).toBe(T0 + MIN);
    expect(h.results.map((r) => r.start)).toEqual([T0]);

    h.pushAll(
      events.filter((e) => e.event_time > T0 + MIN + 5_000),
      50,
    );
    h.push(generateEvents(42, 1, T0 + 3 * MIN + 5_000));
    await flush();
    expect(h.results.map((r) => [r.start, r.end])).toEqual([
      [T0, T0 + MIN],
      [T0 + MIN, T0 + 2 * MIN],
      [T0 + 2 * MIN, T0 + 3 * MIN],
    ]);
    expect(h.flow.counters.windows).toBe(3);
    expect(h.flow.openWindows).toBe(1);
    expect(h.errors).toEqual([]);
  });

  it('reports rows, models, the baseline version and one statistic per feature', async () => {
    const h = harness({ chunkRows: 64 });
    const events = generateEvents(43, 300, T0, NO_DRIFT, 200); // 300 rows in [T0, T0 + 1m)
    events.slice(0, 40).forEach((e) => {
      e.model_version = '1.5.0';
    });
    h.pushAll(events, 37);
    h.push(generateEvents(44, 1, T0 + MIN + 5_000));
    await flush();
    expect(h.results).toHaveLength(1);
    const [r] = h.results;
    expect(r!.monitor).toBe('credit-risk');
    expect(r!.windowKey).toBe(`credit-risk/0/${T0}`);
    expect(r!.segment).toBeNull();
    expect(r!.revision).toBe(0);
    expect(r!.rows).toBe(300);
    expect(r!.models).toEqual([
      { name: 'credit-risk', version: '1.4.0', rows: 260 },
      { name: 'credit-risk', version: '1.5.0', rows: 40 },
    ]);
    expect(r!.baselineVersion).toBe(baseline.version);
    expect(r!.statistics.map((s) => s.feature)).toEqual(FEATURES);
    for (const s of r!.statistics) expect(s.currentSize).toBe(300);
    const incomeMissing = events.filter((e) => e.features.income === null).length;
    expect(incomeMissing).toBeGreaterThan(0);
    expect(statistic(r!, 'income').missing).toBe(incomeMissing);
    expect(statistic(r!, 'amount').missing).toBe(0);
    // Chunks of 64 rows: 4 full chunks sealed as they fill, the last (44 rows) sealed at close; the final task
    // merges the 5 partial states and ships no rows itself.
    expect(h.tasks.filter((t) => !t.finalize)).toHaveLength(5);
    const final = h.tasks.find((t) => t.finalize)!;
    expect(final.partials).toHaveLength(5);
    expect(final.ipc).toBeNull();
  });

  it('gives the same statistics whatever the chunk size (counts merge)', async () => {
    const events = generateEvents(45, 1500, T0, DEMO_DRIFT, 40);
    const closer = generateEvents(46, 1, T0 + MIN + 5_000);
    const small = harness({ chunkRows: 100 });
    small.pushAll(events, 250);
    small.push(closer);
    const large = harness({ chunkRows: 100_000 });
    large.pushAll(events, 250);
    large.push(closer);
    await flush();
    expect(small.results).toHaveLength(1);
    expect(large.results).toHaveLength(1);
    expect(small.tasks.length).toBeGreaterThan(10);
    // One chunk sealed at close, one final merge.
    expect(large.tasks).toHaveLength(2);
    expect(small.results[0]!.statistics).toEqual(large.results[0]!.statistics);
  });

  it('closes a quiet stream after quietCloseMs, driven by ticks', async () => {
    const h = harness();
    h.pushAll(generateEvents(47, 60, T0, NO_DRIFT, 500)); // [T0, T0 + 29.5s]
    const last = T0 + 29_500;
    expect(h.clock.now()).toBe(last);
    h.tick(last + 4_999);
    await flush();
    expect(h.flow.watermark()).toBe(last - 5_000);
    // Quiet for long enough: the watermark follows the wall clock minus quietCloseMs, still short of the end.
    h.tick(T0 + MIN + 4_999);
    await flush();
    expect(h.flow.watermark()).toBe(T0 + MIN - 1);
    expect(h.results).toEqual([]);
    h.tick(T0 + MIN + 5_000);
    await flush();
    expect(h.results.map((r) => r.start)).toEqual([T0]);
    expect(h.results[0]!.rows).toBe(60);
    // Nothing closes without a tick or a batch: the topology only steps on input.
    h.clock.advance(10 * MIN);
    await flush();
    expect(h.results).toHaveLength(1);
  });

  it('an event resets the quiet timer', async () => {
    const h = harness();
    h.push(generateEvents(48, 1, T0 + 50_000));
    h.tick(T0 + 58_000);
    expect(h.flow.watermark()).toBe(T0 + 53_000);
    h.push(generateEvents(49, 1, T0 + 61_000)); // activity at wall T0 + 61s
    // Counting the silence from T0 + 50s would give a watermark of T0 + 60.999s and close window 0 here.
    h.tick(T0 + 65_999);
    await flush();
    expect(h.flow.watermark()).toBeLessThan(T0 + MIN);
    expect(h.results).toEqual([]);
    h.tick(T0 + 66_000);
    await flush();
    expect(h.results.map((r) => [r.start, r.rows])).toEqual([[T0, 1]]);
  });

  it('waits for a lagging partition until it has been idle for idleTimeout', async () => {
    const h = harness();
    const W = T0 + 100_000; // a backlog: everything below is delivered at wall time W
    h.push(generateEvents(50, 5, T0, NO_DRIFT, 1_000), 1, W); // partition 1: T0 .. T0 + 4s
    h.pushAll(generateEvents(51, 100, T0, NO_DRIFT, 1_000), 10, 0, W); // partition 0: T0 .. T0 + 99s
    await flush();
    expect(h.flow.watermark()).toBe(T0 + 4_000 - 5_000);
    expect(h.results).toEqual([]);
    // Partition 0 keeps delivering every 3s (so the stream is never quiet); partition 1 stays silent.
    for (let k = 1; k <= 9; k++) h.push(generateEvents(52 + k, 1, T0 + 100_000 + k), 0, W + 3_000 * k);
    h.push(generateEvents(62, 1, T0 + 100_010), 0, W + 29_999);
    await flush();
    expect(h.flow.watermark()).toBe(T0 + 4_000 - 5_000);
    expect(h.results).toEqual([]);
    h.tick(W + 30_000);
    await flush();
    expect(h.flow.watermark()).toBe(T0 + 100_010 - 5_000);
    expect(h.results.map((r) => [r.start, r.rows])).toEqual([[T0, 65]]);
  });
});

describe('DriftTopology: late events', () => {
  it('counts events of a closed window as late, and accepts the others of the same batch', async () => {
    const h = harness();
    h.pushAll(generateEvents(54, 130, T0, NO_DRIFT, 500)); // up to T0 + 64.5s
    h.push(generateEvents(55, 1, T0 + MIN + 5_000));
    await flush();
    expect(h.results).toHaveLength(1);
    expect(h.flow.counters).toEqual({ accepted: 131, late: 0, updated: 0, windows: 1 });
    const stragglers = [
      ...generateEvents(56, 3, T0 + 10_000, NO_DRIFT, 1_000),
      ...generateEvents(57, 2, T0 + MIN + 1_000, NO_DRIFT, 1_000),
    ];
    h.push(stragglers);
    await flush();
    expect(h.flow.counters).toEqual({ accepted: 133, late: 3, updated: 0, windows: 1 });
    h.push(generateEvents(58, 1, T0 + 2 * MIN + 5_000));
    await flush();
    expect(h.results.map((r) => [r.start, r.rows])).toEqual([
      [T0, 120],
      [T0 + MIN, 13],
    ]);
  });
});

describe('DriftTopology: drift detection', () => {
  it('finds drift on amount and channel in a drifted window, and nowhere in a normal one', async () => {
    const h = harness({ chunkRows: 512 });
    // 2,000 events per minute; minute 0 as in training, minute 1 drifted.
    h.pushAll(generateEvents(60, 2_000, T0, NO_DRIFT, 30), 250);
    h.pushAll(generateEvents(61, 2_000, T0 + MIN, DEMO_DRIFT, 30), 250);
    h.push(generateEvents(62, 1, T0 + 2 * MIN + 5_000));
    await flush();
    expect(h.errors).toEqual([]);
    const byStart = new Map(h.results.map((r) => [r.start, r]));
    expect([...byStart.keys()].sort()).toEqual([T0, T0 + MIN]);
    const normal = byStart.get(T0)!;
    const drifted = byStart.get(T0 + MIN)!;
    expect(normal.rows).toBe(2_000);
    expect(drifted.rows).toBe(2_000);
    expect(normal.statistics.filter((s) => s.drift).map((s) => s.feature)).toEqual([]);
    expect(drifted.statistics.filter((s) => s.drift).map((s) => s.feature)).toEqual(['amount', 'channel']);
    // Not by a hair: the drifted statistics are well past their thresholds, the others well inside.
    expect(statistic(drifted, 'amount').value).toBeGreaterThan(2 * 0.2);
    expect(statistic(drifted, 'channel').value).toBeGreaterThan(0.1 * 1.5);
    expect(statistic(normal, 'amount').value).toBeLessThan(0.05);
    expect(statistic(normal, 'channel').value).toBeLessThan(0.05);
    expect(statistic(drifted, 'age').value).toBeLessThan(0.05);
    expect(statistic(drifted, 'country').pValue!).toBeGreaterThan(0.001);
  });
});

describe('DriftTopology: result order', () => {
  it('emits results in window order even when earlier windows take longer to evaluate', async () => {
    // Final tasks of earlier windows are slowest, so they finish last; results must still come out oldest first.
    let finals = 0;
    const h = harness({ delay: (task) => (task.finalize ? 60 - 20 * finals++ : 0) });
    for (let w = 0; w < 3; w++) h.push(generateEvents(80 + w, 50, T0 + w * MIN, NO_DRIFT, 1_000));
    h.push(generateEvents(90, 1, T0 + 3 * MIN + 10_000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.results.map((r) => r.start)).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
  });
});

describe('DriftTopology: flow control and offsets', () => {
  it('counts sealed chunks and unreleased windows in inFlight, back to 0 after settled()', async () => {
    const h = harness({ chunkRows: 100 });
    h.push(generateEvents(70, 350, T0, NO_DRIFT, 100)); // one window, 3 chunks sealed at once
    expect(h.flow.inFlight).toBe(3);
    await flush();
    expect(h.flow.inFlight).toBe(0);
    h.push(generateEvents(71, 150, T0 + MIN, NO_DRIFT, 100)); // 1 more chunk sealed in window 1
    h.push(generateEvents(72, 1, T0 + 2 * MIN + 5_000)); // closes windows 0 and 1
    // The two closed windows, and the last chunk of each (50 rows apiece), sealed at close.
    expect(h.flow.inFlight).toBe(5);
    await flush();
    expect(h.results).toHaveLength(2);
    expect(h.flow.inFlight).toBe(2);
    h.flow.settled();
    expect(h.flow.inFlight).toBe(1);
    h.flow.settled();
    expect(h.flow.inFlight).toBe(0);
  });

  it('holds the offsets of open and unreleased windows in the ledger', async () => {
    const h = harness();
    h.pushAll(generateEvents(73, 120, T0, NO_DRIFT, 1_000), 30); // offsets 0..119: 60 in each of windows 0, 1
    expect(h.ledger.committable(0)).toBe(0);
    h.push(generateEvents(74, 1, T0 + 2 * MIN + 5_000)); // offset 120, window 2; closes 0 and 1
    await flush();
    expect(h.results.map((r) => r.windowKey)).toEqual([`credit-risk/0/${T0}`, `credit-risk/0/${T0 + MIN}`]);
    // Closed windows still hold their offsets until the caller releases them (their panes' holders).
    expect(h.ledger.committable(0)).toBe(0);
    for (const holder of h.results[0]!.releases) h.ledger.release(holder);
    expect(h.ledger.committable(0)).toBe(60);
    for (const holder of h.results[1]!.releases) h.ledger.release(holder);
    expect(h.ledger.committable(0)).toBe(120);
  });

  it('an empty batch keeps a partition alive without adding rows', async () => {
    const h = harness();
    const W = T0 + 60_000;
    h.push(generateEvents(75, 5, T0, NO_DRIFT, 1_000), 1, W); // partition 1: up to T0 + 4s
    h.push(generateEvents(76, 5, T0 + 50_000, NO_DRIFT, 1_000), 0, W);
    // Partition 0 delivers every 3s, so the stream is never quiet.
    for (let k = 1; k <= 8; k++) h.push(generateEvents(78 + k, 1, T0 + 60_000 + k), 0, W + 3_000 * k);
    h.clock.set(W + 25_000);
    h.flow.input$.next({
      kind: 'batch',
      batch: {
        partition: 1,
        length: 0,
        offsets: new Float64Array(0),
        eventTimes: new Float64Array(0),
        numeric: [],
        numericValid: [],
        categorical: [],
        modelNames: [],
        modelVersions: [],
      },
    });
    // 30s after partition 1's last event, but only 5s after it was polled: it still holds the watermark.
    h.push(generateEvents(77, 1, T0 + 90_000), 0, W + 28_000);
    h.push(generateEvents(78, 1, T0 + 90_001), 0, W + 30_000);
    await flush();
    expect(h.flow.watermark()).toBe(T0 + 4_000 - 5_000);
    expect(h.flow.counters.accepted).toBe(20);
    expect(h.results).toEqual([]);
    // 30s after the poll, it no longer does.
    for (let k = 11; k <= 18; k++) h.push(generateEvents(90 + k, 1, T0 + 90_001 + k), 0, W + 3_000 * k);
    h.tick(W + 55_000);
    await flush();
    expect(h.flow.watermark()).toBe(T0 + 90_001 + 18 - 5_000);
    // Window [T0, T0 + 1m): 5 rows of partition 1 and 5 of partition 0.
    expect(h.results.map((r) => [r.start, r.rows])).toEqual([[T0, 10]]);
  });
});

describe('DriftTopology: failures', () => {
  it('reports a failed chunk task on results$ when its window closes', async () => {
    const clock = new ManualClock(T0);
    const extractor = new BatchExtractor(CREDIT_RISK_TOPOLOGY);
    const flow = new DriftTopology({
      topology: CREDIT_RISK_TOPOLOGY,
      baseline,
      layout: extractor.layout,
      runner: {
        run: async (task) => {
          if (!task.finalize) throw new Error('worker died');
          return runDriftTask(task);
        },
      },
      ledger: new OffsetLedger(),
      clock,
      chunkRows: 10,
    });
    const errors: unknown[] = [];
    flow.results$.subscribe({ error: (e) => errors.push(e) });
    const events = generateEvents(80, 15, T0, NO_DRIFT, 1_000);
    flow.input$.next({
      kind: 'batch',
      batch: extractor.extract(
        0,
        events,
        events.map((_, i) => i),
      ).batch,
    });
    await flush();
    // The sealed chunk failed but is no longer in flight; nothing is reported until its window closes.
    expect(flow.inFlight).toBe(0);
    expect(errors).toEqual([]);
    clock.set(T0 + MIN + 5_000);
    const closer = generateEvents(81, 1, T0 + MIN + 5_000);
    flow.input$.next({ kind: 'batch', batch: extractor.extract(0, closer, [15]).batch });
    await flush();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('worker died');
  });

  it('refuses a baseline that lacks a monitored feature, naming it', () => {
    const { country: _, ...features } = baseline.features;
    const extractor = new BatchExtractor(CREDIT_RISK_TOPOLOGY);
    expect(
      () =>
        new DriftTopology({
          topology: CREDIT_RISK_TOPOLOGY,
          baseline: { ...baseline, features },
          layout: extractor.layout,
          runner: { run: async (t) => runDriftTask(t) },
          ledger: new OffsetLedger(),
          clock: new ManualClock(T0),
        }),
    ).toThrowError(
      expect.objectContaining({
        code: 'DW_BASELINE_INVALID',
        message: expect.stringMatching(/no feature "country"/),
      }),
    );
  });
});
