import type { EventBatch } from './event-batch.ts';
import type { WindowChunk } from './window-chunk.ts';

/**
 * A slice of one segment's rows that windows are built from: a time pane (tumbling, hopping and sliding windows are
 * unions of panes) or a session. Its rows live in one chunk at a time; sealed chunks become partial states `P`
 * (computed elsewhere, e.g. by a worker), which merge into any window the pane belongs to.
 */
export interface Pane<P> {
  /** Offset-ledger holder of the pane's rows; unique per monitor. */
  readonly key: string;
  readonly segment: number;
  /** Pane: [start, end). Session: first and last event time, both inclusive. */
  start: number;
  end: number;
  rows: number;
  /** The chunk being filled; null when nothing arrived since the last seal. */
  chunk: WindowChunk | null;
  /** Partial states of the sealed chunks, in sealing order. */
  readonly partials: P[];
  /** Rows per model name and version, keyed `name\u0000version`. */
  readonly models: Map<string, number>;
  /**
   * Rows whose value had the wrong type, per feature in layout order; null until the pane's first one (most panes
   * never see one). Mergeable by addition, like `rows` and `models`.
   */
  typeMismatches: Float64Array | null;
  /** Sequence of the last batch that touched this pane, to hold offsets once per batch. */
  lastBatch: number;
}

/** A window ready to be evaluated: its bounds, rows, and the partial states of every pane in it. */
export interface ClosedWindow<P> {
  /** Unique per monitor, segment and window; stable across revisions. */
  readonly key: string;
  /** Segment index, or OVERALL (-1) for the whole stream. */
  readonly segment: number;
  readonly start: number;
  readonly end: number;
  /** 0 on close; 1, 2, ... each time late events update the window (late policy `update`). */
  readonly revision: number;
  readonly rows: number;
  readonly partials: readonly P[];
  readonly models: ReadonlyMap<string, number>;
  /** Rows whose value had the wrong type, per feature in layout order (numeric, then categorical). */
  readonly typeMismatches: Float64Array;
  /** Offset-ledger holders to release once this window's results are durable. */
  readonly releases: readonly string[];
}

export const OVERALL = -1;

export interface AddResult {
  /** Rows added to at least one window. */
  readonly accepted: number;
  /** Rows whose every window had closed (and, under `update`, whose retention had passed). */
  readonly late: number;
  /** Batch row indices of the late rows, in order. */
  readonly lateRows: readonly number[];
  /** Rows that arrived after their windows closed but were added under the update policy. */
  readonly updated: number;
}

export interface CloseResult<P> {
  /** Oldest first; windows of one start come segment by segment, then the whole stream. */
  readonly windows: ClosedWindow<P>[];
  /** Holders freed without a window to carry them (state kept for late updates expired): release when durable. */
  readonly expired: string[];
}

/**
 * Assigns rows to windows in event time and emits each window once the watermark passes its end plus grace.
 * Implementations: PaneWindowStore (tumbling, hopping, sliding), SessionWindowStore.
 */
export interface WindowStore<P> {
  /** Appends the rows of `batch`, given each row's segment (null: all in segment 0) and the watermark before it. */
  add(batch: EventBatch, segments: Int32Array | null, watermark: number): AddResult;
  /** Windows to evaluate now that the watermark is `watermark` (+Infinity closes everything). */
  close(watermark: number): CloseResult<P>;
  readonly openCount: number;
}

/** Seals a pane's chunk into a partial state; the store calls it, the topology supplies it. */
export type SealChunk<P> = (pane: Pane<P>, chunk: WindowChunk) => P;
