import { concatMap, from, map, mergeMap, type Observable, Subject, share } from 'rxjs';
import { chunkToIpc } from '../arrow/window-chunk-ipc.ts';
import type { Baseline } from '../baseline/baseline-types.ts';
import type { FeatureDriftSpec } from '../core/drift/feature-drift.ts';
import type { FeatureStatistic } from '../core/drift/feature-statistic.ts';
import { type QualityCheck, qualityChecks } from '../core/quality/data-quality.ts';
import type { Clock } from '../core/time/clock.ts';
import { WatermarkTracker } from '../core/time/watermark-tracker.ts';
import type { ColumnLayout, EventBatch } from '../core/window/event-batch.ts';
import type { OffsetLedger } from '../core/window/offset-ledger.ts';
import { PaneWindowStore } from '../core/window/pane-window-store.ts';
import { Segmenter } from '../core/window/segmenter.ts';
import { SessionWindowStore } from '../core/window/session-window-store.ts';
import type { WindowChunk } from '../core/window/window-chunk.ts';
import { type ClosedWindow, OVERALL, type Pane, type WindowStore } from '../core/window/window-store.ts';
import type { DriftTask, DriftTaskResult, FeaturePartial } from '../worker/drift-task.ts';
import { featureSpecs, type TestPlan } from './feature-specs.ts';
import { judgeMeasurements, type PlanLevels, resolvePlanLevels } from './judge-measurements.ts';
import { type FeatureKind, OVERALL_SEGMENT, type Topology, type WindowSpec } from './topology-types.ts';

/** Runs drift tasks; the Piscina pool in production, an in-thread runner in tests and backtests. */
export interface DriftTaskRunner {
  run(task: DriftTask): Promise<DriftTaskResult>;
}

export type TopologyInput =
  | { readonly kind: 'batch'; readonly batch: EventBatch }
  | { readonly kind: 'tick' }
  /** The source partitions this instance now reads (a consumer-group assignment). */
  | { readonly kind: 'assign'; readonly partitions: readonly number[] }
  /** End of input (a backtest's file is exhausted): every window closes. */
  | { readonly kind: 'end' };

export interface ModelRows {
  readonly name: string;
  readonly version: string;
  readonly rows: number;
}

/** The statistics of one closed window of one monitor and segment. */
export interface WindowResult {
  readonly monitor: string;
  /** Unique per monitor, segment and window; stable across revisions. */
  readonly windowKey: string;
  /** The segment's value, OVERALL_SEGMENT ('*') for the whole stream, null when the topology has no segments. */
  readonly segment: string | null;
  readonly start: number;
  /** Exclusive end of time windows; the last event time of a session. */
  readonly end: number;
  /** 0 when the window closed; 1, 2, ... when late events updated it. */
  readonly revision: number;
  readonly rows: number;
  readonly models: readonly ModelRows[];
  readonly baselineVersion: string;
  /**
   * Data-quality guardrails of every feature (type mismatch, null rate, then out-of-range or unseen share), judged
   * first.
   */
  readonly quality: readonly QualityCheck[];
  /** Every test of every feature against the baseline, then (previousPeriod) against the previous window. */
  readonly statistics: readonly FeatureStatistic[];
  /** Offset-ledger holders to release once the result is durable. */
  readonly releases: readonly string[];
}

/** Rows of a batch that arrived after every window they belong to had closed. */
export interface LateRows {
  readonly batch: EventBatch;
  readonly rows: readonly number[];
}

export interface DriftTopologyOptions {
  readonly topology: Topology;
  readonly baseline: Baseline;
  readonly layout: ColumnLayout;
  readonly runner: DriftTaskRunner;
  readonly ledger: OffsetLedger;
  readonly clock: Clock;
  /** Rows per Arrow chunk shipped to a worker (default 16384). */
  readonly chunkRows?: number;
  /** Called synchronously with the late rows of each batch (for counting, or the late-events side topic). */
  readonly onLate?: (late: LateRows) => void;
}

export interface TopologyCounters {
  /** Events assigned to a window. */
  accepted: number;
  /** Events whose windows had all closed when they arrived (dropped or side-lined, and counted). */
  late: number;
  /** Late events added to retained windows under the update policy (also counted in accepted). */
  updated: number;
  /** Window results emitted (every segment, revisions included). */
  windows: number;
}

type PartialPromise = Promise<FeaturePartial[]>;

/**
 * The RxJS topology of one monitor: batches (and wall-clock ticks) go in; rows are assigned to segments and to
 * event-time panes or sessions; sealed chunks become mergeable partial states in workers as soon as they fill; when
 * the watermark passes a window's end plus grace, the partial states of its panes are merged and every test is
 * measured against the baseline (and the previous window), judged against its levels, and one WindowResult per
 * window and segment comes out, in window order.
 *
 * Window state is only ever partial states keyed by (monitor, segment, pane or session), so it could be shipped
 * between instances without changing this code. Flow control stays at the edges: the caller pushes only as fast as
 * `inFlight` allows.
 */
export class DriftTopology {
  readonly input$ = new Subject<TopologyInput>();
  readonly results$: Observable<WindowResult>;
  readonly counters: TopologyCounters = { accepted: 0, late: 0, updated: 0, windows: 0 };
  readonly specs: readonly FeatureDriftSpec[];
  readonly plans: readonly TestPlan[];

  readonly #options: DriftTopologyOptions;
  readonly #watermark: WatermarkTracker;
  readonly #store: WindowStore<PartialPromise>;
  readonly #segmenter: Segmenter | null;
  readonly #levels: readonly PlanLevels[];
  readonly #cacheKey: string;
  /** Feature kinds as the topology declares them (boolean features are categorical in specs). */
  readonly #kinds: ReadonlyMap<string, FeatureKind>;
  /** Merged state of emitted windows per segment, for the previous-period reference: start -> state. */
  readonly #history = new Map<number, Map<number, PartialPromise>>();
  #pendingExpired: string[] = [];
  #ended = false;
  #inFlight = 0;

  constructor(options: DriftTopologyOptions) {
    this.#options = options;
    const { topology, baseline, layout, ledger, clock } = options;
    const { specs, plans } = featureSpecs(topology, baseline, layout);
    this.specs = specs;
    this.plans = plans;
    this.#levels = resolvePlanLevels(plans);
    this.#kinds = new Map(topology.features.map((f) => [f.name, f.kind]));
    this.#cacheKey = `${topology.name}\u0000${baseline.version}`;
    this.#watermark = new WatermarkTracker(topology.window, clock);
    this.#segmenter =
      topology.segments === null
        ? null
        : new Segmenter(topology.segments.maxValues, topology.segments.otherLabel);
    this.#store = createStore(topology, layout, ledger, options.chunkRows ?? 16_384, (pane, chunk) =>
      this.#seal(pane, chunk),
    );
    this.results$ = this.input$.pipe(
      map((input) => this.#step(input)),
      mergeMap((closed) => closed),
      // Evaluations start at once and run concurrently (bounded by the caller's in-flight limit), but results are
      // emitted in window order, so a later window's alerts never overtake an earlier one's.
      map((window) => this.#evaluate(window)),
      concatMap((pending) => from(pending)),
      share(),
    );
  }

  /** Windows closed but not yet released, plus sealed chunks still counting. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Panes and sessions holding state. */
  get openWindows(): number {
    return this.#store.openCount;
  }

  watermark(): number {
    return this.#ended ? Number.POSITIVE_INFINITY : this.#watermark.current();
  }

  /** The caller calls this once a result is durable (published); it lowers inFlight. */
  settled(): void {
    this.#inFlight--;
  }

  #step(input: TopologyInput): ClosedWindow<PartialPromise>[] {
    if (input.kind === 'batch') {
      const { batch } = input;
      if (batch.length > 0) {
        const segments =
          this.#segmenter === null || !batch.segments
            ? null
            : this.#segmenter.assign(batch.segments, batch.length);
        const added = this.#store.add(batch, segments, this.watermark());
        this.counters.accepted += added.accepted;
        this.counters.late += added.late;
        this.counters.updated += added.updated;
        if (added.late > 0) this.#options.onLate?.({ batch, rows: added.lateRows });
        let max = Number.NEGATIVE_INFINITY;
        const times = batch.eventTimes;
        for (let i = 0; i < batch.length; i++) if (times[i]! > max) max = times[i]!;
        this.#watermark.observe(batch.partition, max, batch.lagging ?? false);
      } else {
        this.#watermark.touch(batch.partition, batch.lagging ?? false);
      }
    } else if (input.kind === 'assign') {
      this.#watermark.assign(input.partitions);
    } else if (input.kind === 'end') {
      this.#ended = true;
    }
    const { windows, expired } = this.#store.close(this.watermark());
    this.#inFlight += windows.length;
    this.#pendingExpired.push(...expired);
    // Holders freed without a window of their own go with the last window closing now (results are published in
    // order, so every earlier one is durable by then), or are released at once when nothing is in flight.
    if (this.#pendingExpired.length > 0) {
      const last = windows.length - 1;
      if (last >= 0) {
        windows[last] = {
          ...windows[last]!,
          releases: [...windows[last]!.releases, ...this.#pendingExpired],
        };
        this.#pendingExpired = [];
      } else if (this.#inFlight === 0) {
        for (const key of this.#pendingExpired) this.#options.ledger.release(key);
        this.#pendingExpired = [];
      }
    }
    return windows;
  }

  #seal(_pane: Pane<PartialPromise>, chunk: WindowChunk): PartialPromise {
    this.#inFlight++;
    const task: DriftTask = {
      cacheKey: this.#cacheKey,
      features: this.specs,
      ipc: chunkToIpc(chunk, this.#options.layout),
      partials: [],
      finalize: false,
    };
    const pending = this.#options.runner
      .run(task)
      .then((r) => r.partials)
      .finally(() => {
        this.#inFlight--;
      });
    // Observed when the window closes; a failure is reported there, not as an unhandled rejection.
    pending.catch(() => {});
    return pending;
  }

  #evaluate(window: ClosedWindow<PartialPromise>): Promise<WindowResult> {
    const { topology } = this.#options;
    const previous = topology.baseline.previousPeriod ? this.#previousOf(window) : undefined;
    const merged = (async () => {
      const partials = await Promise.all(window.partials);
      const prior = previous === undefined ? null : await previous;
      return this.#options.runner.run({
        cacheKey: this.#cacheKey,
        features: this.specs,
        ipc: null,
        partials,
        finalize: true,
        previous: prior,
      });
    })();
    if (topology.baseline.previousPeriod)
      this.#remember(
        window,
        merged.then((r) => r.partials),
      );
    return merged.then((result) => {
      this.counters.windows++;
      const models: ModelRows[] = [];
      for (const [key, rows] of window.models) {
        const [name = '', version = ''] = key.split('\u0000');
        models.push({ name, version, rows });
      }
      models.sort((a, b) => b.rows - a.rows);
      const measurements = result.measurements!;
      const quality = this.specs.flatMap((spec, f) =>
        qualityChecks(
          {
            feature: spec.name,
            featureKind: this.#kinds.get(spec.name) ?? spec.kind,
            referenceCounts: spec.referenceCounts,
            currentCounts: result.partials[f]!.counts,
            // Specs are in layout order, as the window's mismatch counts are.
            typeMismatches: window.typeMismatches[f] ?? 0,
          },
          topology.dataQuality,
        ),
      );
      const statistics = judgeMeasurements(this.plans, this.#levels, measurements, topology.correction);
      return {
        monitor: topology.name,
        windowKey: window.key,
        segment: this.#segmentLabel(window.segment),
        start: window.start,
        end: window.end,
        revision: window.revision,
        rows: window.rows,
        models,
        baselineVersion: this.#options.baseline.version,
        quality,
        statistics,
        releases: window.releases,
      };
    });
  }

  #segmentLabel(segment: number): string | null {
    if (this.#segmenter === null) return null;
    return segment === OVERALL ? OVERALL_SEGMENT : this.#segmenter.label(segment);
  }

  /** The state of the window one period before `window` in its segment (sessions: the segment's last session). */
  #previousOf(window: ClosedWindow<PartialPromise>): PartialPromise | undefined {
    const history = this.#history.get(window.segment);
    if (history === undefined) return undefined;
    const spec = this.#options.topology.window;
    if (spec.type === 'session') {
      let latest: number | undefined;
      for (const start of history.keys())
        if (start < window.start && (latest === undefined || start > latest)) latest = start;
      return latest === undefined ? undefined : history.get(latest);
    }
    // The latest window that ends by this one's start: one size earlier when the step divides the size.
    const step =
      spec.type === 'tumbling' ? spec.sizeMs : spec.type === 'hopping' ? spec.advanceMs : spec.slideMs;
    return history.get(Math.floor((window.start - spec.sizeMs) / step) * step);
  }

  #remember(window: ClosedWindow<PartialPromise>, state: PartialPromise): void {
    state.catch(() => {});
    let history = this.#history.get(window.segment);
    if (history === undefined) {
      history = new Map();
      this.#history.set(window.segment, history);
    }
    history.set(window.start, state);
    // Only the window one period back is ever asked for; keep a little more for revisions of recent windows.
    const horizon = window.start - 2 * periodOf(this.#options.topology.window);
    for (const start of history.keys()) if (start < horizon) history.delete(start);
  }
}

function periodOf(window: WindowSpec): number {
  return window.type === 'session' ? window.gapMs : window.sizeMs;
}

function createStore(
  topology: Topology,
  layout: ColumnLayout,
  ledger: OffsetLedger,
  chunkRows: number,
  seal: (pane: Pane<PartialPromise>, chunk: WindowChunk) => PartialPromise,
): WindowStore<PartialPromise> {
  const w = topology.window;
  const monitor = topology.name;
  if (w.type === 'session') {
    return new SessionWindowStore(
      { monitor, gapMs: w.gapMs, maxSizeMs: w.maxSizeMs, graceMs: w.graceMs, chunkRows },
      layout,
      ledger,
      seal,
    );
  }
  const stepMs = w.type === 'tumbling' ? w.sizeMs : w.type === 'hopping' ? w.advanceMs : w.slideMs;
  return new PaneWindowStore(
    {
      monitor,
      sizeMs: w.sizeMs,
      stepMs,
      graceMs: w.graceMs,
      retentionMs: w.late.policy === 'update' ? w.late.retentionMs : 0,
      overall: topology.segments?.overall ?? false,
      chunkRows,
    },
    layout,
    ledger,
    seal,
  );
}
