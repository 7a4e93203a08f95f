/**
 * A vector in a data file (an NDJSON array, an Arrow or Parquet list column) as a cell: the JSON text of its numbers,
 * e.g. `[0.1,0.2]`, which is how a CSV cell spells it and how embedding references parse it. Only arrays of numbers
 * are vectors; an array holding anything else stays a nested value, which no feature can be.
 */
export type VectorCell =
  | { readonly kind: 'vector'; readonly text: string }
  /** An element that is neither a number nor null: the array is a nested value. */
  | { readonly kind: 'nested' }
  /** An array of numbers with an element JSON cannot carry into a vector; `reason` ends a sentence. */
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * `items` as a vector cell. Numbers and bigints (Int64 elements) are numbers. A null element or a non-finite number
 * is refused with its 0-based position: JSON has no NaN or Infinity, and a vector with a hole has no meaning here.
 * String(x) is the shortest text that parses back to the same double, so the text round-trips exactly (a Float32
 * element keeps its float32 value).
 */
export function vectorCell(items: ArrayLike<unknown>): VectorCell {
  const n = items.length;
  let firstNull = -1;
  let firstNonFinite = -1;
  for (let j = 0; j < n; j++) {
    const x = items[j];
    if (x === null || x === undefined) {
      if (firstNull < 0) firstNull = j;
    } else if (typeof x === 'number') {
      if (firstNonFinite < 0 && !Number.isFinite(x)) firstNonFinite = j;
    } else if (typeof x !== 'bigint') return { kind: 'nested' };
  }
  if (firstNull >= 0) {
    return {
      kind: 'invalid',
      reason: `null at position ${firstNull}; a vector needs a number at every position`,
    };
  }
  if (firstNonFinite >= 0) {
    return {
      kind: 'invalid',
      reason: `${String(items[firstNonFinite])} at position ${firstNonFinite}; a vector needs finite numbers`,
    };
  }
  let text = '[';
  for (let j = 0; j < n; j++) {
    if (j > 0) text += ',';
    text += String(typeof items[j] === 'bigint' ? Number(items[j]) : items[j]);
  }
  return { kind: 'vector', text: `${text}]` };
}
