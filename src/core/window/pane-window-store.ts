import type { ColumnLayout, EventBatch } from './event-batch.ts';
import type { OffsetLedger } from './offset-ledger.ts';
import { addCounts, addModels, PaneAppender } from './pane-appender.ts';
import {
  type AddResult,
  type ClosedWindow,
  type CloseResult,
  OVERALL,
  type Pane,
  type SealChunk,
  type WindowStore,
} from './window-store.ts';

export interface PaneStoreOptions {
  readonly monitor: string;
  readonly sizeMs: number;
  /** Distance between window starts: the size for tumbling windows, the advance or slide otherwise. */
  readonly stepMs: number;
  readonly graceMs: number;
  /** Under the late policy `update`, how long after end + grace a closed window still takes late rows. 0 otherwise. */
  readonly retentionMs: number;
  /** Also emit, for every window start, the whole stream merged from every segment's panes. */
  readonly overall: boolean;
  /** Rows per chunk; a full chunk is sealed. */
  readonly chunkRows: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Tumbling, hopping and sliding windows as unions of panes: the time axis is cut into panes of gcd(size, step), every
 * row goes into exactly one pane of its segment, and window [s, s + size) (s a multiple of step) merges the partial
 * states of its panes. A row is therefore copied once however many windows overlap it, and a tumbling window is one
 * pane.
 *
 * Invariants:
 * - a window is emitted (revision 0) exactly once, when end + grace <= watermark, and only if it holds rows;
 * - windows are emitted in start order; for one start, segment by segment, then the whole stream;
 * - a row is late when the last window containing its pane has closed, unless the update policy still retains that
 *   pane (then it is added and the closed windows containing it are emitted again with the next revision);
 * - a pane's ledger holder is released with the last window that needs it (retention 0), or once its retention has
 *   passed (`expired`).
 */
export class PaneWindowStore<P> implements WindowStore<P> {
  readonly #o: PaneStoreOptions;
  readonly #paneMs: number;
  readonly #appender: PaneAppender<P>;
  /** Per segment: pane start -> pane. */
  readonly #panes = new Map<number, Map<number, Pane<P>>>();
  /** The next window start to close; NaN before the first row. */
  #nextStart = Number.NaN;
  /** Windows (key `segment/start`) to emit again because late rows updated them. */
  readonly #dirty = new Map<string, { segment: number; start: number }>();
  /** Last revision emitted per window key, kept while late updates are possible (retention > 0). */
  readonly #revisions = new Map<string, { revision: number; start: number }>();
  #openCount = 0;

  constructor(options: PaneStoreOptions, layout: ColumnLayout, ledger: OffsetLedger, seal: SealChunk<P>) {
    this.#o = options;
    this.#paneMs = gcd(options.sizeMs, options.stepMs);
    this.#appender = new PaneAppender(layout, ledger, options.chunkRows, seal);
  }

  /** Panes holding state (open, or retained for late updates). */
  get openCount(): number {
    return this.#openCount;
  }

  /** Start of the last window containing the pane that starts at `paneStart`. */
  #lastWindowStart(paneStart: number): number {
    return Math.floor(paneStart / this.#o.stepMs) * this.#o.stepMs;
  }

  /** Start of the first window containing the pane that starts at `paneStart`. */
  #firstWindowStart(paneStart: number): number {
    const { stepMs, sizeMs } = this.#o;
    return (Math.floor((paneStart - sizeMs) / stepMs) + 1) * stepMs;
  }

  add(batch: EventBatch, segments: Int32Array | null, watermark: number): AddResult {
    const { sizeMs, graceMs, retentionMs } = this.#o;
    const paneMs = this.#paneMs;
    const appender = this.#appender;
    appender.begin(batch);
    let late = 0;
    let updated = 0;
    const lateRows: number[] = [];
    let current: Pane<P> | undefined;
    let updating = false;
    for (let row = 0; row < batch.length; row++) {
      const t = batch.eventTimes[row]!;
      const segment = segments === null ? 0 : segments[row]!;
      const paneStart = Math.floor(t / paneMs) * paneMs;
      if (current === undefined || current.start !== paneStart || current.segment !== segment) {
        const closesAt = this.#lastWindowStart(paneStart) + sizeMs + graceMs;
        updating = closesAt <= watermark;
        if (updating) {
          if (closesAt + retentionMs <= watermark) {
            late++;
            lateRows.push(row);
            current = undefined;
            continue;
          }
          this.#markDirty(segment, paneStart, watermark);
        }
        current = this.#pane(segment, paneStart);
      }
      if (updating) updated++;
      appender.append(current, row);
    }
    appender.end();
    return { accepted: batch.length - late, late, lateRows, updated };
  }

  close(watermark: number): CloseResult<P> {
    const { sizeMs, stepMs, graceMs, retentionMs, overall } = this.#o;
    const windows: ClosedWindow<P>[] = [];
    const expired: string[] = [];

    // Late updates first: they revise windows older than any closing now.
    if (this.#dirty.size > 0) {
      const dirty = [...this.#dirty.values()].sort((a, b) => a.start - b.start || a.segment - b.segment);
      this.#dirty.clear();
      for (const { segment, start } of dirty) {
        const w = this.#window(segment, start, []);
        if (w !== null) windows.push(w);
      }
    }

    for (;;) {
      const earliest = this.#earliestPaneStart();
      if (earliest === undefined) break;
      const first = this.#firstWindowStart(earliest);
      if (Number.isNaN(this.#nextStart) || first > this.#nextStart) this.#nextStart = first;
      const start = this.#nextStart;
      if (start + sizeMs + graceMs > watermark) break;
      // Panes whose last window this is are released with it (or kept for late updates).
      const releases: string[] = [];
      const done: Pane<P>[] = [];
      for (const panes of this.#panes.values()) {
        for (const pane of panes.values()) {
          if (this.#lastWindowStart(pane.start) === start) done.push(pane);
        }
      }
      const emitted: ClosedWindow<P>[] = [];
      const segments = [...this.#panes.keys()].sort((a, b) => a - b);
      for (const segment of segments) {
        const w = this.#window(segment, start, []);
        if (w !== null) emitted.push(w);
      }
      if (overall && emitted.length > 0) {
        const w = this.#window(OVERALL, start, []);
        if (w !== null) emitted.push(w);
      }
      if (retentionMs === 0) {
        for (const pane of done) {
          releases.push(pane.key);
          this.#drop(pane);
        }
      }
      if (emitted.length > 0) {
        const last = emitted[emitted.length - 1]!;
        emitted[emitted.length - 1] = { ...last, releases: [...last.releases, ...releases] };
        windows.push(...emitted);
      } else {
        expired.push(...releases);
      }
      this.#nextStart = start + stepMs;
    }

    if (retentionMs > 0) {
      for (const panes of this.#panes.values()) {
        for (const pane of [...panes.values()]) {
          if (this.#lastWindowStart(pane.start) + sizeMs + graceMs + retentionMs <= watermark) {
            expired.push(pane.key);
            this.#drop(pane);
          }
        }
      }
      for (const [key, { start }] of this.#revisions) {
        if (start + sizeMs + graceMs + retentionMs <= watermark) this.#revisions.delete(key);
      }
    }
    return { windows, expired };
  }

  /** Builds window [start, start + size) of `segment` (or OVERALL) from its panes, sealing their chunks. */
  #window(segment: number, start: number, releases: string[]): ClosedWindow<P> | null {
    const end = start + this.#o.sizeMs;
    const partials: P[] = [];
    const models = new Map<string, number>();
    const typeMismatches = new Float64Array(this.#appender.features);
    let rows = 0;
    const sources = segment === OVERALL ? [...this.#panes.values()] : [this.#panes.get(segment)];
    for (const panes of sources) {
      if (panes === undefined) continue;
      for (let p = start; p < end; p += this.#paneMs) {
        const pane = panes.get(p);
        if (pane === undefined || pane.rows === 0) continue;
        this.#appender.seal(pane);
        partials.push(...pane.partials);
        addModels(models, pane.models);
        addCounts(typeMismatches, pane.typeMismatches);
        rows += pane.rows;
      }
    }
    if (rows === 0) return null;
    const key = `${this.#o.monitor}/${segment === OVERALL ? '*' : segment}/${start}`;
    const previous = this.#revisions.get(key);
    const next = previous === undefined ? 0 : previous.revision + 1;
    if (this.#o.retentionMs > 0) this.#revisions.set(key, { revision: next, start });
    return { key, segment, start, end, revision: next, rows, partials, models, typeMismatches, releases };
  }

  /** Marks the closed windows containing pane `paneStart` of `segment` (and the whole stream) for re-emission. */
  #markDirty(segment: number, paneStart: number, watermark: number): void {
    const { sizeMs, stepMs, graceMs, overall } = this.#o;
    for (let s = this.#firstWindowStart(paneStart); s <= paneStart; s += stepMs) {
      if (s + sizeMs + graceMs > watermark) break;
      this.#dirty.set(`${segment}/${s}`, { segment, start: s });
      if (overall) this.#dirty.set(`*/${s}`, { segment: OVERALL, start: s });
    }
  }

  #earliestPaneStart(): number | undefined {
    let earliest: number | undefined;
    const threshold = Number.isNaN(this.#nextStart) ? Number.NEGATIVE_INFINITY : this.#nextStart;
    for (const panes of this.#panes.values()) {
      for (const pane of panes.values()) {
        // Panes whose windows have all been emitted only wait for their retention to pass.
        if (this.#lastWindowStart(pane.start) < threshold) continue;
        if (earliest === undefined || pane.start < earliest) earliest = pane.start;
      }
    }
    return earliest;
  }

  #pane(segment: number, start: number): Pane<P> {
    let panes = this.#panes.get(segment);
    if (panes === undefined) {
      panes = new Map();
      this.#panes.set(segment, panes);
    }
    let pane = panes.get(start);
    if (pane === undefined) {
      pane = {
        key: `${this.#o.monitor}/${segment}/p${start}`,
        segment,
        start,
        end: start + this.#paneMs,
        rows: 0,
        chunk: null,
        partials: [],
        models: new Map(),
        typeMismatches: null,
        lastBatch: 0,
      };
      panes.set(start, pane);
      this.#openCount++;
    }
    return pane;
  }

  #drop(pane: Pane<P>): void {
    const panes = this.#panes.get(pane.segment);
    if (panes?.delete(pane.start)) this.#openCount--;
    if (panes !== undefined && panes.size === 0) this.#panes.delete(pane.segment);
  }
}
