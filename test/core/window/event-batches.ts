import type { ColumnLayout, EventBatch } from '../../../src/core/window/event-batch.ts';

/** One row of a hand-made batch; feature values are in layout order. */
export interface Row {
  readonly offset: number;
  readonly t: number;
  readonly numeric?: readonly (number | null)[];
  readonly categorical?: readonly (string | null)[];
  readonly model?: readonly [string, string];
  /** Features (layout index: numeric, then categorical) whose value had the wrong type in this row. */
  readonly mismatched?: readonly number[];
}

/**
 * Builds an EventBatch the way BatchExtractor lays it out (nulls: validity 0 and NaN; type-mismatch flags only when
 * some row has one).
 */
export function makeBatch(layout: ColumnLayout, partition: number, rows: readonly Row[]): EventBatch {
  const n = rows.length;
  return {
    partition,
    length: n,
    offsets: Float64Array.from(rows, (r) => r.offset),
    eventTimes: Float64Array.from(rows, (r) => r.t),
    numeric: layout.numeric.map((_, c) =>
      Float64Array.from(rows, (r) => r.numeric?.[c] ?? (r.numeric?.[c] === null ? Number.NaN : 0)),
    ),
    numericValid: layout.numeric.map((_, c) =>
      Uint8Array.from(rows, (r) => (r.numeric !== undefined && r.numeric[c] === null ? 0 : 1)),
    ),
    categorical: layout.categorical.map((_, c) => rows.map((r) => r.categorical?.[c] ?? null)),
    modelNames: rows.map((r) => r.model?.[0] ?? 'm'),
    modelVersions: rows.map((r) => r.model?.[1] ?? '1'),
    typeMismatches: rows.some((r) => r.mismatched !== undefined)
      ? [...layout.numeric, ...layout.categorical].map((_, f) =>
          Uint8Array.from(rows, (r) => (r.mismatched?.includes(f) ? 1 : 0)),
        )
      : null,
  };
}
