import type { ColumnLayout } from './event-batch.ts';

/**
 * A bounded, append-only slice of one window's rows in typed arrays. A window seals a chunk when it is full, ships it
 * to a worker as one Arrow record batch, and starts another; so a window's memory is bounded by one chunk however
 * many events it holds, and sealed chunks turn into mergeable partial counts.
 *
 * Categorical columns are dictionary-encoded per chunk: codes index `dictionaries[c]`, -1 marks a null.
 */
export class WindowChunk {
  readonly capacity: number;
  length = 0;
  readonly numeric: Float64Array[];
  readonly numericValid: Uint8Array[];
  readonly codes: Int32Array[];
  readonly dictionaries: string[][];
  readonly #dictionaryIndex: Map<string, number>[];

  constructor(layout: ColumnLayout, capacity: number) {
    this.capacity = capacity;
    this.numeric = layout.numeric.map(() => new Float64Array(capacity));
    this.numericValid = layout.numeric.map(() => new Uint8Array(capacity));
    this.codes = layout.categorical.map(() => new Int32Array(capacity));
    this.dictionaries = layout.categorical.map(() => []);
    this.#dictionaryIndex = layout.categorical.map(() => new Map());
  }

  get full(): boolean {
    return this.length >= this.capacity;
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
