import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { type Cell, type ColumnTable, columnsFromCells, inputError } from './column-table.ts';
import { vectorCell } from './vector-cell.ts';

/**
 * Parquet through hyparquet (pure JavaScript, every standard codec via hyparquet-compressors). Integers (including
 * INT64 as BigInt) and floats are numbers, timestamps are epoch milliseconds, strings and booleans are categories. A
 * list of numbers is a vector, kept as the JSON text of its numbers (vector-cell.ts) for embedding references; other
 * nested values, and vectors with a null or non-finite element, are an error naming the row and column.
 */
export async function readParquet(
  file: string,
  forceCategorical?: ReadonlySet<string>,
): Promise<ColumnTable> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })) as Record<
      string,
      unknown
    >[];
  } catch (error) {
    throw inputError(file, `not a readable Parquet file (${(error as Error).message})`, {}, error);
  }
  const names: string[] = [];
  const index = new Map<string, number>();
  const cells: Cell[][] = [];
  rows.forEach((row, r) => {
    for (const [key, value] of Object.entries(row)) {
      let c = index.get(key);
      if (c === undefined) {
        c = names.length;
        names.push(key);
        index.set(key, c);
        cells.push(new Array<Cell>(rows.length).fill(null));
      }
      cells[c]![r] = parquetCell(value, file, r, key);
    }
  });
  return columnsFromCells(file, names, cells, rows.length, forceCategorical);
}

function parquetCell(value: unknown, file: string, row: number, key: string): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) {
    const vector = vectorCell(value);
    if (vector.kind === 'vector') return vector.text;
    if (vector.kind === 'invalid') {
      throw inputError(file, `row ${row + 1}: column "${key}" holds a list with ${vector.reason}`, {
        row: row + 1,
      });
    }
  }
  throw inputError(file, `row ${row + 1}: column "${key}" holds a nested value, not a feature value`, {
    row: row + 1,
  });
}
