import { alertsFor, type DriftAlert } from '../alerts/drift-alert.ts';
import type { Baseline } from '../baseline/baseline-types.ts';
import { loadBaseline } from '../baseline/load-baseline.ts';
import { ManualClock } from '../core/time/clock.ts';
import { OffsetLedger } from '../core/window/offset-ledger.ts';
import { BatchExtractor, type RejectedRow } from '../engine/batch-extractor.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import {
  type DriftTaskRunner,
  DriftTopology,
  type TopologyCounters,
  type WindowResult,
} from '../topology/drift-topology.ts';
import type { Topology } from '../topology/topology-types.ts';
import { runDriftTask } from '../worker/drift-task.ts';

export interface TopologyTestDriverOptions {
  readonly topology: Topology;
  /** The baseline to test against (default: the file the topology names). */
  readonly baseline?: Baseline;
  /** Wall-clock start of the manual clock, epoch ms (default 0). */
  readonly startTime?: number;
  /** Runs drift tasks (default: in this thread, synchronously). */
  readonly runner?: DriftTaskRunner;
  /** Rows per chunk (default 16384); small values exercise chunk merging. */
  readonly chunkRows?: number;
}

/** An event that arrived after every window it belongs to had closed. */
export interface LateEvent {
  readonly partition: number;
  readonly offset: number;
  readonly eventTime: number;
  /** The watermark when it arrived. */
  readonly watermark: number;
}

/** A record the topology rejected (it would go to the dead-letter topic). */
export interface RejectedEvent extends RejectedRow {
  readonly partition: number;
  readonly offset: number;
}

/**
 * Runs a topology in-process without Kafka, deterministically: events are piped in by hand (decoded records, as the
 * engine would get them from the registry), the wall clock moves only when told to, and every window result, alert,
 * late event and rejected record is kept for inspection. The same DriftTopology, window stores, watermarks and
 * statistics as the engine run underneath (like Kafka Streams' TopologyTestDriver); results are "published" at once,
 * which releases their offsets.
 *
 * Usage: `const driver = await TopologyTestDriver.create({ topology }); driver.pipe(records); driver.advanceWallClock(5000);
 * await driver.settle(); driver.results`.
 */
export class TopologyTestDriver {
  readonly topology: Topology;
  readonly baseline: Baseline;
  readonly clock: ManualClock;
  readonly ledger = new OffsetLedger();
  readonly results: WindowResult[] = [];
  readonly alerts: DriftAlert[] = [];
  readonly late: LateEvent[] = [];
  readonly rejected: RejectedEvent[] = [];
  readonly #flow: DriftTopology;
  readonly #extractor: BatchExtractor;
  readonly #nextOffset = new Map<number, number>();
  #failure: unknown;

  private constructor(options: TopologyTestDriverOptions, baseline: Baseline) {
    this.topology = options.topology;
    this.baseline = baseline;
    this.clock = new ManualClock(options.startTime ?? 0);
    this.#extractor = new BatchExtractor(this.topology, this.clock);
    const runner: DriftTaskRunner = options.runner ?? { run: async (task) => runDriftTask(task) };
    this.#flow = new DriftTopology({
      topology: this.topology,
      baseline,
      layout: this.#extractor.layout,
      runner,
      ledger: this.ledger,
      clock: this.clock,
      ...(options.chunkRows !== undefined ? { chunkRows: options.chunkRows } : {}),
      onLate: ({ batch, rows }) => {
        const watermark = this.#flow.watermark();
        for (const row of rows) {
          this.late.push({
            partition: batch.partition,
            offset: batch.offsets[row]!,
            eventTime: batch.eventTimes[row]!,
            watermark,
          });
        }
      },
    });
    this.#flow.results$.subscribe({
      next: (result) => {
        this.results.push(result);
        this.alerts.push(...alertsFor(result, this.clock.now()));
        for (const holder of result.releases) this.ledger.release(holder);
        this.#flow.settled();
      },
      error: (error: unknown) => {
        this.#failure = error;
      },
    });
  }

  static async create(options: TopologyTestDriverOptions): Promise<TopologyTestDriver> {
    if (options?.topology === undefined) {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'TopologyTestDriver needs a topology');
    }
    const baseline = options.baseline ?? (await loadBaseline(options.topology.baseline.path));
    return new TopologyTestDriver(options, baseline);
  }

  get counters(): Readonly<TopologyCounters> {
    return this.#flow.counters;
  }

  /** The stream's watermark now. */
  watermark(): number {
    return this.#flow.watermark();
  }

  /** Panes and sessions holding state. */
  get openWindows(): number {
    return this.#flow.openWindows;
  }

  /** Declares the partitions being read (as a consumer-group assignment does); each holds the watermark until it delivers or idles. */
  assign(partitions: readonly number[]): void {
    this.#flow.input$.next({ kind: 'assign', partitions });
  }

  /**
   * Pipes decoded records as one batch of `partition`, with consecutive offsets. Records the topology cannot use are
   * kept in `rejected` (the engine dead-letters them). Returns the rows accepted and rejected.
   */
  pipe(
    records: readonly unknown[],
    options: { partition?: number } = {},
  ): { rows: number; rejected: number } {
    this.#throwIfFailed();
    const partition = options.partition ?? 0;
    const first = this.#nextOffset.get(partition) ?? 0;
    const offsets = records.map((_, i) => first + i);
    this.#nextOffset.set(partition, first + records.length);
    const { batch, rejected } = this.#extractor.extract(partition, records, offsets);
    for (const r of rejected) this.rejected.push({ ...r, partition, offset: offsets[r.index]! });
    this.#flow.input$.next({ kind: 'batch', batch });
    this.ledger.advance(partition, first + records.length);
    return { rows: batch.length, rejected: rejected.length };
  }

  /** Moves the wall clock forward and lets the topology see it (idleness, quiet close). */
  advanceWallClock(ms: number): void {
    this.#throwIfFailed();
    this.clock.advance(ms);
    this.#flow.input$.next({ kind: 'tick' });
  }

  /** Ends the input: every open window closes. Resolves once their results are in. */
  async end(): Promise<void> {
    this.#flow.input$.next({ kind: 'end' });
    await this.settle();
  }

  /** Waits until every closed window's result has been delivered (evaluations run asynchronously). */
  async settle(): Promise<void> {
    while (this.#flow.inFlight > 0 && this.#failure === undefined) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#throwIfFailed();
  }

  /**
   * Returns what was collected since the last call and forgets it, so a long run (a backtest) keeps flat memory
   * while the getters still work for short tests.
   */
  drain(): { results: WindowResult[]; alerts: DriftAlert[]; late: LateEvent[]; rejected: RejectedEvent[] } {
    return {
      results: this.results.splice(0),
      alerts: this.alerts.splice(0),
      late: this.late.splice(0),
      rejected: this.rejected.splice(0),
    };
  }

  /** Results of one segment (null: unsegmented; '*': the whole stream). */
  resultsFor(segment: string | null): WindowResult[] {
    return this.results.filter((r) => r.segment === segment);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
