/** Label of rows whose segment field is missing or null. */
export const MISSING_SEGMENT = '(missing)';

/**
 * Maps a segment field's values to a bounded set of segment indices: the first `maxValues` distinct values seen get
 * one each, every later value shares the `other` segment, so a high-cardinality field cannot grow state without
 * bound. Indices are stable for the life of the process; labels are what results report.
 */
export class Segmenter {
  readonly #maxValues: number;
  readonly #otherLabel: string;
  readonly #index = new Map<string, number>();
  readonly #labels: string[] = [];
  #other = -1;

  constructor(maxValues: number, otherLabel: string) {
    this.#maxValues = maxValues;
    this.#otherLabel = otherLabel;
  }

  /** Segment index of each row's value. */
  assign(values: readonly (string | null)[], length: number): Int32Array {
    const out = new Int32Array(length);
    let lastValue: string | null | undefined;
    let lastIndex = 0;
    for (let i = 0; i < length; i++) {
      const value = values[i] ?? null;
      if (value !== lastValue) {
        lastValue = value;
        lastIndex = this.indexOf(value ?? MISSING_SEGMENT);
      }
      out[i] = lastIndex;
    }
    return out;
  }

  indexOf(label: string): number {
    const known = this.#index.get(label);
    if (known !== undefined) return known;
    if (this.#labels.length - (this.#other >= 0 ? 1 : 0) >= this.#maxValues) {
      if (this.#other < 0) this.#other = this.#index.get(this.#otherLabel) ?? this.#add(this.#otherLabel);
      return this.#other;
    }
    return this.#add(label);
  }

  label(index: number): string {
    return this.#labels[index] ?? '';
  }

  /** Some value was folded into the other segment because the cap was reached. */
  get overflowed(): boolean {
    return this.#other >= 0;
  }

  #add(label: string): number {
    const index = this.#labels.length;
    this.#labels.push(label);
    this.#index.set(label, index);
    return index;
  }
}
