import { type Cell, type ColumnTable, columnsFromCells, inputError } from './column-table.ts';
import { vectorCell } from './vector-cell.ts';

/**
 * Newline-delimited JSON: one object per line; blank lines are skipped. Columns are the union of keys in order of
 * first appearance; a key absent from a row is missing there. Numbers are numbers; strings and booleans are
 * categories; an array of numbers is a vector, kept as the JSON text of its numbers (vector-cell.ts) for embedding
 * references. Objects, other arrays, and arrays of numbers with a null are an error naming the line and key.
 */
export function parseNdjson(text: string, file: string, forceCategorical?: ReadonlySet<string>): ColumnTable {
  const names: string[] = [];
  const index = new Map<string, number>();
  const cells: Cell[][] = [];
  let rows = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      throw inputError(
        file,
        `line ${i + 1}: not valid JSON (${(error as Error).message})`,
        { line: i + 1 },
        error,
      );
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw inputError(file, `line ${i + 1}: expected a JSON object per line`, { line: i + 1 });
    }
    for (const [key, value] of Object.entries(record)) {
      let c = index.get(key);
      if (c === undefined) {
        c = names.length;
        names.push(key);
        index.set(key, c);
        cells.push(new Array<Cell>(rows).fill(null));
      }
      cells[c]![rows] = toCell(value, file, i + 1, key);
    }
    rows++;
    for (const column of cells) if (column.length < rows) column.push(null);
  }
  if (rows === 0) throw inputError(file, 'no records');
  return columnsFromCells(file, names, cells, rows, forceCategorical);
}

function toCell(value: unknown, file: string, line: number, key: string): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const vector = vectorCell(value);
    if (vector.kind === 'vector') return vector.text;
    if (vector.kind === 'invalid') {
      throw inputError(file, `line ${line}: field "${key}" is an array with ${vector.reason}`, { line });
    }
  }
  throw inputError(
    file,
    `line ${line}: field "${key}" is ${Array.isArray(value) ? 'an array' : 'an object'}, not a value`,
    {
      line,
    },
  );
}
