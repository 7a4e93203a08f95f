import type { ColumnLayout, EventBatch } from './event-batch.ts';
import type { OffsetLedger } from './offset-ledger.ts';
import { INITIAL_CHUNK_ROWS, WindowChunk } from './window-chunk.ts';
import type { Pane, SealChunk } from './window-store.ts';

/**
 * Copies rows of one batch into panes: column values into the pane's chunk (sealing it when full), the row's offset
 * into the ledger (once per pane and batch), model counts by runs, so consecutive rows of one model and pane cost
 * one map update per run rather than a string key per row, and type mismatches per feature (only for batches that
 * have any).
 */
export class PaneAppender<P> {
  readonly #layout: ColumnLayout;
  readonly #ledger: OffsetLedger;
  readonly #chunkRows: number;
  readonly #seal: SealChunk<P>;
  /** Monitored features, numeric and categorical: the length of type-mismatch count vectors. */
  readonly features: number;
  #batchSeq = 0;
  #batch: EventBatch | null = null;
  #runPane: Pane<P> | undefined;
  #runName = '';
  #runVersion = '';
  #runLength = 0;

  constructor(layout: ColumnLayout, ledger: OffsetLedger, chunkRows: number, seal: SealChunk<P>) {
    this.#layout = layout;
    this.#ledger = ledger;
    this.#chunkRows = chunkRows;
    this.#seal = seal;
    this.features = layout.numeric.length + layout.categorical.length;
  }

  begin(batch: EventBatch): void {
    this.#batchSeq++;
    this.#batch = batch;
    this.#runPane = undefined;
    this.#runLength = 0;
  }

  append(pane: Pane<P>, row: number): void {
    const batch = this.#batch!;
    if (pane.lastBatch !== this.#batchSeq) {
      pane.lastBatch = this.#batchSeq;
      this.#ledger.hold(pane.key, batch.partition, batch.offsets[row]!);
    }
    let chunk = pane.chunk;
    if (chunk === null) {
      chunk = new WindowChunk(this.#layout, this.#chunkRows, INITIAL_CHUNK_ROWS);
      pane.chunk = chunk;
    }
    chunk.reserve();
    const i = chunk.length;
    const nNumeric = this.#layout.numeric.length;
    const nCategorical = this.#layout.categorical.length;
    for (let c = 0; c < nNumeric; c++) {
      chunk.numeric[c]![i] = batch.numeric[c]![row]!;
      chunk.numericValid[c]![i] = batch.numericValid[c]![row]!;
    }
    for (let c = 0; c < nCategorical; c++) {
      chunk.codes[c]![i] = chunk.code(c, batch.categorical[c]![row]!);
    }
    chunk.length = i + 1;
    pane.rows++;
    const mismatches = batch.typeMismatches;
    if (mismatches) {
      for (let f = 0; f < mismatches.length; f++) {
        if (mismatches[f]![row] === 0) continue;
        pane.typeMismatches ??= new Float64Array(this.features);
        pane.typeMismatches[f] = pane.typeMismatches[f]! + 1;
      }
    }
    const name = batch.modelNames[row]!;
    const version = batch.modelVersions[row]!;
    if (pane !== this.#runPane || name !== this.#runName || version !== this.#runVersion) {
      this.flushRun();
      this.#runPane = pane;
      this.#runName = name;
      this.#runVersion = version;
    }
    this.#runLength++;
    if (chunk.full) this.seal(pane);
  }

  /** Turns the pane's current chunk, if it has rows, into a partial state. */
  seal(pane: Pane<P>): void {
    const chunk = pane.chunk;
    if (chunk === null) return;
    pane.chunk = null;
    if (chunk.length > 0) pane.partials.push(this.#seal(pane, chunk));
  }

  /** Ends the batch: records the last model run. */
  end(): void {
    this.flushRun();
    this.#batch = null;
  }

  /** Records the current model run now (before the pane it belongs to is merged into another). */
  flushRun(): void {
    const pane = this.#runPane;
    if (pane !== undefined && this.#runLength > 0) {
      const key = `${this.#runName}\u0000${this.#runVersion}`;
      pane.models.set(key, (pane.models.get(key) ?? 0) + this.#runLength);
    }
    this.#runPane = undefined;
    this.#runLength = 0;
  }
}

/** Adds the model counts of `from` into `into`. */
export function addModels(into: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [key, rows] of from) into.set(key, (into.get(key) ?? 0) + rows);
}

/** Adds per-feature counts `from` (null: all zero) into `into`, which is as long. */
export function addCounts(into: Float64Array, from: Float64Array | null): void {
  if (from === null) return;
  for (let i = 0; i < from.length; i++) into[i] = into[i]! + from[i]!;
}
