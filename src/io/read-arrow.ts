import { readFile } from 'node:fs/promises';
import { DataType, tableFromIPC } from 'apache-arrow';
import { type Cell, type ColumnTable, columnsFromCells, inputError } from './column-table.ts';
import { vectorCell } from './vector-cell.ts';

/**
 * Arrow IPC, file or stream format (.arrow, .feather v2, .ipc). Numeric Arrow types are numbers. A list or
 * fixed-size list of ints or floats is a vector column: each cell the JSON text of its numbers (vector-cell.ts), for
 * embedding references; a vector with a null or non-finite element, and any other nested type, is an error naming
 * the row and column.
 */
export async function readArrow(file: string, forceCategorical?: ReadonlySet<string>): Promise<ColumnTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw inputError(file, 'cannot read file', {}, error);
  }
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw inputError(file, `not an Arrow IPC file or stream (${(error as Error).message})`, {}, error);
  }
  // The reader returns an empty table for bytes that are not IPC at all rather than throwing.
  if (table.schema.fields.length === 0)
    throw inputError(file, 'not an Arrow IPC file or stream (no schema found)');
  const rows = table.numRows;
  const names = table.schema.fields.map((f) => f.name);
  const cells: Cell[][] = table.schema.fields.map((field) => {
    const vector = table.getChild(field.name)!;
    const type = field.type;
    const numeric = DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type);
    const timestamp = DataType.isTimestamp(type) || DataType.isDate(type);
    const element = DataType.isList(type) || DataType.isFixedSizeList(type) ? type.children[0]!.type : null;
    const vectors = element !== null && (DataType.isInt(element) || DataType.isFloat(element));
    const out = new Array<Cell>(rows);
    for (let r = 0; r < rows; r++) {
      const v: unknown = vector.get(r);
      if (v === null || v === undefined) out[r] = null;
      else if (numeric || timestamp)
        out[r] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : Number(v);
      else if (typeof v === 'string' || typeof v === 'number') out[r] = v;
      else if (typeof v === 'boolean') out[r] = String(v);
      else {
        const cell = vectors ? vectorCell(Array.from(v as Iterable<unknown>)) : null;
        if (cell?.kind === 'vector') out[r] = cell.text;
        else if (cell?.kind === 'invalid') {
          throw inputError(file, `row ${r + 1}: column "${field.name}" holds a list with ${cell.reason}`, {
            row: r + 1,
          });
        } else {
          throw inputError(file, `row ${r + 1}: column "${field.name}" holds a nested value`, { row: r + 1 });
        }
      }
    }
    return out;
  });
  return columnsFromCells(file, names, cells, rows, forceCategorical);
}
