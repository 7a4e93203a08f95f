import { DriftwatchError, ErrorCodes } from '../errors.ts';

/**
 * Columns read from a data file, typed for the statistics: numeric columns as Float64 values with a validity byte
 * per row (0 = missing), categorical columns as strings with null for missing. A column is numeric when every
 * present value is a number (NaN and ±Infinity included); any other value makes it categorical, unless the caller
 * forces a kind.
 */
export type DataColumn =
  | { readonly kind: 'numeric'; readonly values: Float64Array; readonly valid: Uint8Array }
  | { readonly kind: 'categorical'; readonly values: readonly (string | null)[] };

export interface ColumnTable {
  readonly file: string;
  readonly rows: number;
  /** Column names in file order. */
  readonly names: readonly string[];
  readonly columns: ReadonlyMap<string, DataColumn>;
}

/**
 * A cell as read: a number, a string, or null for missing. Booleans arrive as strings, and vectors (arrays of numbers)
 * as the JSON text of their numbers, as a CSV cell spells them (vector-cell.ts).
 */
export type Cell = number | string | null;

/** Builds typed columns from raw per-column cells. `forceCategorical` names columns to keep as categories. */
export function columnsFromCells(
  file: string,
  names: readonly string[],
  cells: readonly Cell[][],
  rows: number,
  forceCategorical: ReadonlySet<string> = new Set(),
): ColumnTable {
  const columns = new Map<string, DataColumn>();
  names.forEach((name, c) => {
    const raw = cells[c]!;
    let numeric = !forceCategorical.has(name);
    if (numeric) {
      for (let r = 0; r < rows; r++) {
        const v = raw[r];
        if (v !== null && typeof v !== 'number') {
          numeric = false;
          break;
        }
      }
    }
    if (numeric) {
      const values = new Float64Array(rows);
      const valid = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        const v = raw[r] as number | null;
        if (v === null) values[r] = Number.NaN;
        else {
          values[r] = v;
          valid[r] = 1;
        }
      }
      columns.set(name, { kind: 'numeric', values, valid });
    } else {
      columns.set(name, { kind: 'categorical', values: raw.map((v) => (v === null ? null : String(v))) });
    }
  });
  return { file, rows, names, columns };
}

export function inputError(
  file: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
) {
  return new DriftwatchError(ErrorCodes.INPUT_FILE, `${file}: ${message}`, { file, ...details }, { cause });
}

/**
 * A numeric column read as categories (a column that is text in the other file, or monitored as categorical):
 * each present value as its shortest decimal string, null and NaN as missing.
 */
export function numericAsCategories(column: DataColumn & { kind: 'numeric' }): (string | null)[] {
  return Array.from(column.values, (v, i) => (column.valid[i] === 0 || Number.isNaN(v) ? null : String(v)));
}
