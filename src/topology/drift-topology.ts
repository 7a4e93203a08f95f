import { concatMap, from, map, mergeMap, type Observable, Subject, share } from 'rxjs';
import { chunkToIpc } from '../arrow/window-chunk-ipc.ts';
import type { Baseline } from '../baseline/baseline-types.ts';
import type { FeatureDriftSpec, FeatureStatistic } from '../core/drift/feature-drift.ts';
import type { Clock } from '../core/time/clock.ts';
import { WatermarkTracker } from '../core/time/watermark-tracker.ts';
import type { ColumnLayout, EventBatch } from '../core/window/event-batch.ts';
import type { OffsetLedger } from '../core/window/offset-ledger.ts';
import { type OpenWindow, TumblingWindowStore } from '../core/window/tumbling-window-store.ts';
import type { WindowChunk } from '../core/window/window-chunk.ts';
import type { DriftTask, DriftTaskResult } from '../worker/drift-task.ts';
import { featureSpecs } from './feature-specs.ts';
import type { Topology } from './topology-types.ts';

/** Runs drift tasks; the Piscina pool in production, an in-thread runner in unit tests. */
export interface DriftTaskRunner {
  run(task: DriftTask): Promise<DriftTaskResult>;
}

export type TopologyInput =
  | { readonly kind: 'batch'; readonly batch: EventBatch }
  | { readonly kind: 'tick' }
  /** The source partitions this instance now reads (a consumer-group assignment). */
  | { readonly kind: 'assign'; readonly partitions: readonly number[] };

export interface ModelRows {
  readonly name: string;
  readonly version: string;
  readonly rows: number;
}

/** The statistics of one closed window of one monitor. */
export interface WindowResult {
  readonly monitor: string;
  /** Offset-ledger holder of the window; release it once the result is durable. */
  readonly windowKey: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly models: readonly ModelRows[];
  readonly baselineVersion: string;
  readonly statistics: readonly FeatureStatistic[];
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
}

export interface TopologyCounters {
  /** Events assigned to a window. */
  accepted: number;
  /** Events whose window had closed when they arrived (dropped and counted). */
  late: number;
  /** Windows closed and evaluated. */
  windows: number;
}

/**
 * The RxJS topology of one monitor: batches (and wall-clock ticks) go in; event-time tumbling windows collect
 * them as Arrow chunks; when the watermark passes a window's end plus grace, its chunks' counts are merged in a
 * worker and tested against the baseline; one WindowResult per window comes out.
 *
 * Flow control stays at the edges: the caller pushes only as fast as `inFlight` allows.
 */
export class DriftTopology {
  readonly input$ = new Subject<TopologyInput>();
  readonly results$: Observable<WindowResult>;
  readonly counters: TopologyCounters = { accepted: 0, late: 0, windows: 0 };
  readonly specs: readonly FeatureDriftSpec[];

  readonly #options: DriftTopologyOptions;
  readonly #watermark: WatermarkTracker;
  readonly #store: TumblingWindowStore;
  readonly #partials = new Map<string, Promise<DriftTaskResult>[]>();
  readonly #cacheKey: string;
  #inFlight = 0;

  constructor(options: DriftTopologyOptions) {
    this.#options = options;
    const { topology, baseline, layout, ledger, clock } = options;
    this.specs = featureSpecs(topology, baseline, layout);
    this.#cacheKey = `${topology.name}\u0000${baseline.version}`;
    this.#watermark = new WatermarkTracker(topology.window, clock);
    this.#store = new TumblingWindowStore(
      {
        monitor: topology.name,
        sizeMs: topology.window.sizeMs,
        graceMs: topology.window.graceMs,
        chunkRows: options.chunkRows ?? 16_384,
      },
      layout,
      ledger,
      (window, chunk) => this.#sealed(window, chunk),
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

  get openWindows(): number {
    return this.#store.openCount;
  }

  watermark(): number {
    return this.#watermark.current();
  }

  /** The caller calls this once a result is durable (published); it lowers inFlight. */
  settled(): void {
    this.#inFlight--;
  }

  #step(input: TopologyInput): OpenWindow[] {
    if (input.kind === 'batch') {
      const { batch } = input;
      if (batch.length > 0) {
        const { accepted, late } = this.#store.add(batch, this.#watermark.current());
        this.counters.accepted += accepted;
        this.counters.late += late;
        let max = Number.NEGATIVE_INFINITY;
        const times = batch.eventTimes;
        for (let i = 0; i < batch.length; i++) if (times[i]! > max) max = times[i]!;
        this.#watermark.observe(batch.partition, max, batch.lagging ?? false);
      } else {
        this.#watermark.touch(batch.partition, batch.lagging ?? false);
      }
    } else if (input.kind === 'assign') {
      this.#watermark.assign(input.partitions);
    }
    const closed = this.#store.close(this.#watermark.current());
    this.#inFlight += closed.length;
    return closed;
  }

  #sealed(window: OpenWindow, chunk: WindowChunk): void {
    this.#inFlight++;
    const task: DriftTask = {
      cacheKey: this.#cacheKey,
      features: this.specs,
      ipc: chunkToIpc(chunk, this.#options.layout),
      partials: [],
      finalize: false,
    };
    const pending = this.#options.runner.run(task).finally(() => {
      this.#inFlight--;
    });
    // Observed when the window closes; a failure is reported there, not as an unhandled rejection.
    pending.catch(() => {});
    let list = this.#partials.get(window.key);
    if (list === undefined) {
      list = [];
      this.#partials.set(window.key, list);
    }
    list.push(pending);
  }

  async #evaluate(window: OpenWindow): Promise<WindowResult> {
    const partials = this.#partials.get(window.key) ?? [];
    this.#partials.delete(window.key);
    const done = await Promise.all(partials);
    const result = await this.#options.runner.run({
      cacheKey: this.#cacheKey,
      features: this.specs,
      ipc: window.chunk === null ? null : chunkToIpc(window.chunk, this.#options.layout),
      partials: done.map((d) => d.partials),
      finalize: true,
    });
    this.counters.windows++;
    const models: ModelRows[] = [];
    for (const [key, rows] of window.models) {
      const [name = '', version = ''] = key.split('\u0000');
      models.push({ name, version, rows });
    }
    models.sort((a, b) => b.rows - a.rows);
    return {
      monitor: this.#options.topology.name,
      windowKey: window.key,
      start: window.start,
      end: window.end,
      rows: window.rows,
      models,
      baselineVersion: this.#options.baseline.version,
      statistics: result.statistics ?? [],
    };
  }
}
