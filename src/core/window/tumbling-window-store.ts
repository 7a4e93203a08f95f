import { tumblingWindowStart } from '../time/tumbling-window.ts';
import type { ColumnLayout, EventBatch } from './event-batch.ts';
import type { OffsetLedger } from './offset-ledger.ts';
import { WindowChunk } from './window-chunk.ts';

export interface TumblingStoreOptions {
  readonly monitor: string;
  readonly sizeMs: number;
  readonly graceMs: number;
  /** Rows per chunk; a full chunk is sealed and handed to `onSealed`. */
  readonly chunkRows: number;
}

/** A window that holds events and has not closed. */
export interface OpenWindow {
  /** `<monitor>/<start>`: unique per monitor and window, used as the offset-ledger holder. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
  rows: number;
  /** The chunk being filled; null right after a seal until the next row arrives. */
  chunk: WindowChunk | null;
  /** Number of chunks sealed so far (the final chunk is not among them). */
  sealedChunks: number;
  /** Count of rows per model name and version, keyed `name\u0000version`. */
  readonly models: Map<string, number>;
  /** Sequence of the last batch that touched this window, to hold offsets once per batch. */
  lastBatch: number;
}

export interface AddResult {
  readonly accepted: number;
  /** Rows whose window had already closed when they arrived. */
  readonly late: number;
}

/**
 * Assigns rows to tumbling windows in event time and closes windows once the watermark passes end + grace.
 *
 * Invariants:
 * - a window is emitted by `close` exactly once, and only when end + grace <= watermark;
 * - a row is late exactly when its window's end + grace <= the watermark at the time it is added; late rows are
 *   counted, never appended;
 * - every accepted row's offset is held in the ledger under its window's key until the caller releases it.
 */
export class TumblingWindowStore {
  readonly #options: TumblingStoreOptions;
  readonly #layout: ColumnLayout;
  readonly #ledger: OffsetLedger;
  readonly #onSealed: (window: OpenWindow, chunk: WindowChunk) => void;
  readonly #open = new Map<number, OpenWindow>();
  #batchSeq = 0;

  constructor(
    options: TumblingStoreOptions,
    layout: ColumnLayout,
    ledger: OffsetLedger,
    onSealed: (window: OpenWindow, chunk: WindowChunk) => void,
  ) {
    this.#options = options;
    this.#layout = layout;
    this.#ledger = ledger;
    this.#onSealed = onSealed;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Appends the rows of `batch` to their windows, given the watermark before the batch. */
  add(batch: EventBatch, watermark: number): AddResult {
    const { sizeMs, graceMs } = this.#options;
    const seq = ++this.#batchSeq;
    const nNumeric = this.#layout.numeric.length;
    const nCategorical = this.#layout.categorical.length;
    let late = 0;
    let current: OpenWindow | undefined;
    let runWindow: OpenWindow | undefined;
    let runName = '';
    let runVersion = '';
    let runLength = 0;
    for (let row = 0; row < batch.length; row++) {
      const t = batch.eventTimes[row]!;
      const start = tumblingWindowStart(t, sizeMs);
      if (start + sizeMs + graceMs <= watermark) {
        late++;
        continue;
      }
      if (current === undefined || current.start !== start) current = this.#window(start);
      if (current.lastBatch !== seq) {
        current.lastBatch = seq;
        this.#ledger.hold(current.key, batch.partition, batch.offsets[row]!);
      }
      let chunk = current.chunk;
      if (chunk === null) {
        chunk = new WindowChunk(this.#layout, this.#options.chunkRows);
        current.chunk = chunk;
      }
      const i = chunk.length;
      for (let c = 0; c < nNumeric; c++) {
        chunk.numeric[c]![i] = batch.numeric[c]![row]!;
        chunk.numericValid[c]![i] = batch.numericValid[c]![row]!;
      }
      for (let c = 0; c < nCategorical; c++) {
        chunk.codes[c]![i] = chunk.code(c, batch.categorical[c]![row]!);
      }
      chunk.length = i + 1;
      current.rows++;
      // Model counts are kept by runs: consecutive rows of one model and window cost one map update per run.
      const name = batch.modelNames[row]!;
      const version = batch.modelVersions[row]!;
      if (current !== runWindow || name !== runName || version !== runVersion) {
        if (runWindow !== undefined) addModelRun(runWindow, runName, runVersion, runLength);
        runWindow = current;
        runName = name;
        runVersion = version;
        runLength = 0;
      }
      runLength++;
      if (chunk.full) {
        current.chunk = null;
        current.sealedChunks++;
        this.#onSealed(current, chunk);
      }
    }
    if (runWindow !== undefined) addModelRun(runWindow, runName, runVersion, runLength);
    return { accepted: batch.length - late, late };
  }

  /** Removes and returns, oldest first, every window with end + grace <= watermark. */
  close(watermark: number): OpenWindow[] {
    const graceMs = this.#options.graceMs;
    const closed: OpenWindow[] = [];
    for (const window of this.#open.values()) {
      if (window.end + graceMs <= watermark) closed.push(window);
    }
    if (closed.length === 0) return closed;
    closed.sort((a, b) => a.start - b.start);
    for (const window of closed) this.#open.delete(window.start);
    return closed;
  }

  #window(start: number): OpenWindow {
    let window = this.#open.get(start);
    if (window === undefined) {
      window = {
        key: `${this.#options.monitor}/${start}`,
        start,
        end: start + this.#options.sizeMs,
        rows: 0,
        chunk: null,
        sealedChunks: 0,
        models: new Map(),
        lastBatch: 0,
      };
      this.#open.set(start, window);
    }
    return window;
  }
}

function addModelRun(window: OpenWindow, name: string, version: string, rows: number): void {
  const key = `${name}\u0000${version}`;
  window.models.set(key, (window.models.get(key) ?? 0) + rows);
}
