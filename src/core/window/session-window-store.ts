import type { ColumnLayout, EventBatch } from './event-batch.ts';
import type { OffsetLedger } from './offset-ledger.ts';
import { addCounts, addModels, PaneAppender } from './pane-appender.ts';
import type { AddResult, ClosedWindow, CloseResult, Pane, SealChunk, WindowStore } from './window-store.ts';

export interface SessionStoreOptions {
  readonly monitor: string;
  /** A session ends after this long without events (of its segment). */
  readonly gapMs: number;
  /** A session is not extended beyond this length; the next event starts a new one. 0 = no limit. */
  readonly maxSizeMs: number;
  readonly graceMs: number;
  readonly chunkRows: number;
}

/**
 * Session windows per segment: a row joins every open session whose span, widened by the gap, contains its time;
 * joining two sessions merges them (their partial states are mergeable, so nothing is recounted). A session closes
 * when the watermark passes its last event + gap + grace, and is emitted once, as [first event, last event].
 *
 * A row is late when it joins no open session and a session of its own would already be closed
 * (t + gap + grace <= watermark). Late updates are not offered: a late row could merge sessions already reported.
 */
export class SessionWindowStore<P> implements WindowStore<P> {
  readonly #o: SessionStoreOptions;
  readonly #ledger: OffsetLedger;
  readonly #appender: PaneAppender<P>;
  /** Open sessions per segment, in no particular order (few per segment). */
  readonly #sessions = new Map<number, Pane<P>[]>();
  #created = 0;
  #openCount = 0;

  constructor(options: SessionStoreOptions, layout: ColumnLayout, ledger: OffsetLedger, seal: SealChunk<P>) {
    this.#o = options;
    this.#ledger = ledger;
    this.#appender = new PaneAppender(layout, ledger, options.chunkRows, seal);
  }

  get openCount(): number {
    return this.#openCount;
  }

  add(batch: EventBatch, segments: Int32Array | null, watermark: number): AddResult {
    const { gapMs, graceMs, maxSizeMs } = this.#o;
    this.#appender.begin(batch);
    let late = 0;
    const lateRows: number[] = [];
    for (let row = 0; row < batch.length; row++) {
      const t = batch.eventTimes[row]!;
      const segment = segments === null ? 0 : segments[row]!;
      let open = this.#sessions.get(segment);
      if (open === undefined) {
        open = [];
        this.#sessions.set(segment, open);
      }
      let target: Pane<P> | undefined;
      for (let i = 0; i < open.length; i++) {
        const s = open[i]!;
        if (t < s.start - gapMs || t > s.end + gapMs) continue;
        if (maxSizeMs > 0 && Math.max(s.end, t) - Math.min(s.start, t) > maxSizeMs) continue;
        if (target === undefined) {
          target = s;
        } else {
          this.#merge(target, s);
          open.splice(i, 1);
          i--;
        }
      }
      if (target === undefined) {
        if (t + gapMs + graceMs <= watermark) {
          late++;
          lateRows.push(row);
          continue;
        }
        target = this.#create(segment, t);
        open.push(target);
      }
      if (t < target.start) target.start = t;
      if (t > target.end) target.end = t;
      this.#appender.append(target, row);
    }
    this.#appender.end();
    return { accepted: batch.length - late, late, lateRows, updated: 0 };
  }

  close(watermark: number): CloseResult<P> {
    const { gapMs, graceMs } = this.#o;
    const windows: ClosedWindow<P>[] = [];
    for (const [segment, open] of this.#sessions) {
      for (let i = 0; i < open.length; i++) {
        const s = open[i]!;
        if (s.end + gapMs + graceMs > watermark) continue;
        open.splice(i, 1);
        i--;
        this.#openCount--;
        this.#appender.seal(s);
        const models = new Map<string, number>();
        addModels(models, s.models);
        const typeMismatches = new Float64Array(this.#appender.features);
        addCounts(typeMismatches, s.typeMismatches);
        windows.push({
          key: `${this.#o.monitor}/${segment}/s${s.start}`,
          segment,
          start: s.start,
          end: s.end,
          revision: 0,
          rows: s.rows,
          partials: [...s.partials],
          models,
          typeMismatches,
          releases: [s.key],
        });
      }
      if (open.length === 0) this.#sessions.delete(segment);
    }
    windows.sort((a, b) => a.end - b.end || a.segment - b.segment);
    return { windows, expired: [] };
  }

  #create(segment: number, t: number): Pane<P> {
    this.#openCount++;
    return {
      key: `${this.#o.monitor}/${segment}/session${this.#created++}`,
      segment,
      start: t,
      end: t,
      rows: 0,
      chunk: null,
      partials: [],
      models: new Map(),
      typeMismatches: null,
      lastBatch: 0,
    };
  }

  /**
   * Moves everything of `from` into `into`: rows (as sealed partial state), models, type mismatches, bounds and held
   * offsets.
   */
  #merge(into: Pane<P>, from: Pane<P>): void {
    this.#appender.flushRun();
    this.#appender.seal(from);
    into.partials.push(...from.partials);
    addModels(into.models, from.models);
    if (from.typeMismatches !== null) {
      into.typeMismatches ??= new Float64Array(this.#appender.features);
      addCounts(into.typeMismatches, from.typeMismatches);
    }
    into.rows += from.rows;
    if (from.start < into.start) into.start = from.start;
    if (from.end > into.end) into.end = from.end;
    this.#ledger.transfer(from.key, into.key);
    this.#openCount--;
  }
}
