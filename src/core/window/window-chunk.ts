import type { ColumnLayout } from './event-batch.ts';

/** Rows a pane's chunk allocates at first; it doubles up to its capacity, so many small panes stay small. */
export const INITIAL_CHUNK_ROWS = 256;

/**
 * A bounded, append-only slice of one pane's rows in typed arrays. A pane seals a chunk when it is full, ships it to a
 * worker as one Arrow record batch, and starts another; so a pane's memory is bounded by one chunk however many events
 * it holds, and sealed chunks turn into mergeable partial counts.
 *
 * Columns start small and double on demand (`reserve`) up to `capacity`: with segments and overlapping windows there
 * are many panes, most of them with few rows.
 *
 * Categorical columns are dictionary-encoded per chunk: codes index `dictionaries[c]`, -1 marks a null.
 */
export class WindowChunk {
  /** Most rows the chunk holds; it is full at this length. */
  readonly capacity: number;
  length = 0;
  numeric: Float64Array[];
  numericValid: Uint8Array[];
  codes: Int32Array[];
  readonly dictionaries: string[][];
  readonly #dictionaryIndex: Map<string, number>[];
  #allocated: number;

  constructor(layout: ColumnLayout, capacity: number, initialRows = capacity) {
    this.capacity = capacity;
    this.#allocated = Math.max(1, Math.min(initialRows, capacity));
    const n = this.#allocated;
    this.numeric = layout.numeric.map(() => new Float64Array(n));
    this.numericValid = layout.numeric.map(() => new Uint8Array(n));
    this.codes = layout.categorical.map(() => new Int32Array(n));
    this.dictionaries = layout.categorical.map(() => []);
    this.#dictionaryIndex = layout.categorical.map(() => new Map());
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Rows the columns can hold now without growing. */
  get allocated(): number {
    return this.#allocated;
  }

  /** Makes room for one more row (call before writing row `length`); never beyond `capacity`. */
  reserve(): void {
    if (this.length < this.#allocated) return;
    const n = Math.min(this.capacity, this.#allocated * 2);
    this.numeric = this.numeric.map((old) => grow(new Float64Array(n), old));
    this.numericValid = this.numericValid.map((old) => grow(new Uint8Array(n), old));
    this.codes = this.codes.map((old) => grow(new Int32Array(n), old));
    this.#allocated = n;
  }

  /** Interns a categorical value of column `c` and returns its code; null becomes -1. */
  code(c: number, value: string | null): number {
    if (value === null) return -1;
    const index = this.#dictionaryIndex[c]!;
    let code = index.get(value);
    if (code === undefined) {
      const dictionary = this.dictionaries[c]!;
      code = dictionary.length;
      dictionary.push(value);
      index.set(value, code);
    }
    return code;
  }
}

function grow<T extends Float64Array | Uint8Array | Int32Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}
