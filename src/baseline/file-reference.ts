import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { type ColumnTable, type DataColumn, numericAsCategories } from '../io/column-table.ts';
import type { FeatureSpec, Topology } from '../topology/topology-types.ts';
import type { ReferenceColumn, ReferenceRows } from './build-baseline.ts';
import { modelTextColumnNames } from './model-reference.ts';
import { parseTimeText } from './time-value.ts';

/**
 * Maps the columns of a training file to a topology's features. A feature is read from the column named like the
 * feature, like its field path, or like the path's last segment (features.amount -> amount); the event time likewise
 * from the column named like `source.eventTimeField` or its last segment, when there is one.
 */

/** Column names a feature (or the event time) may be stored under, most specific first. */
export function columnCandidates(name: string, field: string): string[] {
  return [...new Set([name, field, field.split('.').at(-1)!])];
}

/**
 * Columns to read as text whatever they hold: those of categorical features (a numeric code is still a category), and
 * a classifier's label and class columns (classes are compared as text).
 */
export function categoricalColumnNames(topology: Topology): Set<string> {
  return new Set([
    ...topology.features
      .filter((f) => f.kind === 'categorical')
      .flatMap((f) => columnCandidates(f.name, f.field)),
    ...(topology.model === null ? [] : modelTextColumnNames(topology.model)),
  ]);
}

export function fileReferenceRows(table: ColumnTable, topology: Topology): ReferenceRows {
  const file = table.file;
  const columns = new Map<string, ReferenceColumn>();
  for (const feature of topology.features) {
    const candidates = columnCandidates(feature.name, feature.field);
    const name = candidates.find((c) => table.columns.has(c));
    if (name === undefined) {
      throw new DriftwatchError(
        ErrorCodes.INPUT_FILE,
        `${file}: no column for feature "${feature.name}" (looked for ${candidates.join(' or ')})`,
        { file, feature: feature.name },
      );
    }
    columns.set(feature.name, referenceColumn(table.columns.get(name)!, feature, file, name));
  }
  return { rows: table.rows, columns, eventTimes: eventTimes(table, topology) };
}

function referenceColumn(
  column: DataColumn,
  feature: FeatureSpec,
  file: string,
  name: string,
): ReferenceColumn {
  switch (feature.kind) {
    case 'categorical':
      return {
        kind: 'categorical',
        values: column.kind === 'categorical' ? column.values : numericAsCategories(column),
      };
    case 'boolean':
      return booleanColumn(column, file, name);
    case 'numeric':
      if (column.kind !== 'numeric') {
        throw new DriftwatchError(
          ErrorCodes.INPUT_FILE,
          `${file}: column "${name}" is monitored as numeric but holds text`,
          { file, column: name },
        );
      }
      return { kind: 'numeric', values: column.values, valid: column.valid };
  }
}

/**
 * true/false (any case, as pandas writes True/False) or 1/0; empty is missing. Anything else is an error naming the
 * row, since guessing would put it in a bucket the live stream never uses.
 */
function booleanColumn(column: DataColumn, file: string, name: string): ReferenceColumn {
  const n = column.values.length;
  const values = new Uint8Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let bit: number | null;
    if (column.kind === 'numeric') {
      const v = column.values[i]!;
      bit = column.valid[i] === 0 || Number.isNaN(v) ? null : v === 1 ? 1 : v === 0 ? 0 : -1;
    } else {
      const v = column.values[i];
      const text = v?.trim().toLowerCase();
      bit = v === null || v === undefined ? null : text === 'true' ? 1 : text === 'false' ? 0 : -1;
    }
    if (bit === -1) {
      throw new DriftwatchError(
        ErrorCodes.INPUT_FILE,
        `${file}: row ${i + 1}: column "${name}" is a boolean feature but holds ${JSON.stringify(column.values[i])}; expected true, false, 1 or 0`,
        { file, column: name, row: i + 1 },
      );
    }
    if (bit !== null) {
      values[i] = bit;
      valid[i] = 1;
    }
  }
  return { kind: 'boolean', values, valid };
}

/** Epoch milliseconds per row (numbers, or ISO 8601 / epoch text), NaN where empty; null without such a column. */
function eventTimes(table: ColumnTable, topology: Topology): Float64Array | null {
  const field = topology.source.eventTimeField;
  if (field === null) return null;
  const name = columnCandidates(field, field).find((c) => table.columns.has(c));
  if (name === undefined) return null;
  const column = table.columns.get(name)!;
  const times = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    if (column.kind === 'numeric') {
      const v = column.values[i]!;
      times[i] = column.valid[i] === 1 && Number.isFinite(v) ? v : Number.NaN;
      continue;
    }
    const text = column.values[i];
    if (text === null || text === undefined) {
      times[i] = Number.NaN;
      continue;
    }
    const t = parseTimeText(text);
    if (Number.isNaN(t)) {
      throw new DriftwatchError(
        ErrorCodes.INPUT_FILE,
        `${table.file}: row ${i + 1}: event time column "${name}" holds ${JSON.stringify(text)}, neither epoch milliseconds nor an ISO 8601 time`,
        { file: table.file, column: name, row: i + 1 },
      );
    }
    times[i] = t;
  }
  return times;
}
