import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { type RecordBatch, tableFromIPC, type Vector } from 'apache-arrow';
import {
  asyncBufferFromFile,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parseTimeText } from '../baseline/time-value.ts';
import { compileFieldPath, type FieldGetter } from '../engine/field-path.ts';
import { isDriftwatchError } from '../errors.ts';
import { type Cell, inputError } from './column-table.ts';
import { csvCell } from './csv-cell.ts';
import { DATA_FILE_FORMATS } from './read-data-file.ts';

/**
 * Reads historical events from a data file as decoded records (nested plain objects, as the engine gets them from
 * the registry), in file order and in batches, for a backtest.
 *
 * - NDJSON: each line's object as it is. CSV, Parquet, Arrow: one record per row, made of the columns the caller
 *   needs only; a column named with a dotted path (`features.amount`) becomes a nested field. Parquet structs and
 *   Arrow struct columns are nested already.
 * - A field the record lacks under its path is also looked for as a flat key or column named like the path, like one
 *   of the field's aliases (a feature's name), or like the path's last segment (`amount`), the rule of
 *   `driftwatch baseline build`.
 * - Event times may be epoch milliseconds or ISO-8601 strings (a date-time without a zone is UTC); strings are
 *   converted to epoch ms. Int64 values (bigint) and dates become numbers.
 * - A row that cannot be read (bad JSON, wrong CSV field count, a bad event time) is returned as rejected with its line
 *   or row number, and reading goes on. Only what makes the whole file unusable throws (DW_INPUT_FILE): a missing or
 *   unreadable file, an unknown format, a bad header, no column for a required field.
 *
 * NDJSON and CSV are streamed; Parquet is read one row group at a time; Arrow is loaded whole (its batches are
 * columnar and compact) and turned into records batch by batch.
 */

/** A field the caller reads from each record. */
export interface EventField {
  /** Dotted path in the record, e.g. `features.amount`. */
  readonly path: string;
  /** Other names a flat column or key may have (e.g. the feature's name); the path and its last segment are implied. */
  readonly aliases?: readonly string[];
  /** A CSV, Parquet or Arrow file without a column for it is an error (NDJSON records are each their own schema). */
  readonly required?: boolean;
  /** How messages name it, e.g. `feature "amount"`; default `field "<path>"`. */
  readonly label?: string;
}

export interface ReadEventsOptions {
  /** Every field the caller reads, the event time included. */
  readonly fields: readonly EventField[];
  /** Path of the event-time field (one of `fields`). */
  readonly eventTimeField: string;
  /** Records per batch (default 8192). */
  readonly batchSize?: number;
}

/** A row that could not be read; `location` is its line (NDJSON, CSV) or 1-based row (Parquet, Arrow). */
export interface RejectedInput {
  readonly location: number;
  readonly reason: string;
}

export interface EventRecordBatch {
  readonly records: Record<string, unknown>[];
  /** Line or row of each record, parallel to `records`. */
  readonly locations: readonly number[];
  readonly rejected: readonly RejectedInput[];
  /** Progress so far, in the reader's `progressUnit`. */
  readonly progress: number;
}

export type EventFileFormat = 'ndjson' | 'csv' | 'parquet' | 'arrow';

export interface EventReader extends AsyncIterable<EventRecordBatch> {
  readonly file: string;
  readonly format: EventFileFormat;
  /** What a location counts: lines for text formats, rows for Parquet and Arrow. */
  readonly locationUnit: 'line' | 'row';
  readonly progressUnit: 'bytes' | 'rows';
  readonly progressTotal: number;
  /** Releases the file when the reader is not iterated to its end (iterating to the end releases it too). */
  close(): void;
}

const DEFAULT_BATCH = 8192;

/** Opens an event file by its extension; problems with the file as a whole are thrown here, before any record. */
export async function openEvents(file: string, options: ReadEventsOptions): Promise<EventReader> {
  const format = DATA_FILE_FORMATS[extname(file).toLowerCase() as keyof typeof DATA_FILE_FORMATS];
  if (format === undefined) {
    throw inputError(file, `unknown format; use one of ${Object.keys(DATA_FILE_FORMATS).join(', ')}`);
  }
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw inputError(file, 'not a file');
    size = info.size;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw inputError(file, 'file not found', {}, error);
    if (isDriftwatchError(error)) throw error;
    throw inputError(file, `cannot read file (${(error as Error).message})`, {}, error);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const fields = resolveFields(options);
  switch (format) {
    case 'ndjson':
      return textReader(file, 'ndjson', size, (stream) => ndjsonBatches(file, stream, fields, batchSize));
    case 'csv':
      return textReader(file, 'csv', size, (stream) => csvBatches(file, stream, fields, batchSize));
    case 'parquet':
      return parquetReader(file, fields, batchSize);
    case 'arrow':
      return arrowReader(file, fields, batchSize);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fields

interface ResolvedField {
  readonly path: string;
  readonly parts: readonly string[];
  readonly get: FieldGetter;
  /** Flat names to try, best first: the dotted path, the aliases, the last segment. */
  readonly names: readonly string[];
  /** Flat keys to try on an object record when the path finds nothing (`names` without the path itself). */
  readonly fallbacks: readonly string[];
  readonly required: boolean;
  readonly label: string;
  readonly isTime: boolean;
}

function resolveFields(options: ReadEventsOptions): ResolvedField[] {
  const fields = options.fields.some((f) => f.path === options.eventTimeField)
    ? options.fields
    : [{ path: options.eventTimeField, required: true }, ...options.fields];
  return fields.map((f) => {
    const parts = f.path.split('.');
    const names = [...new Set([f.path, ...(f.aliases ?? []), parts.at(-1)!])];
    return {
      path: f.path,
      parts,
      get: compileFieldPath(f.path),
      names,
      fallbacks: parts.length === 1 ? names.slice(1) : names,
      required: f.required ?? false,
      label: f.label ?? `field "${f.path}"`,
      isTime: f.path === options.eventTimeField,
    };
  });
}

/**
 * Sets `value` at `parts` in `record`, creating nested objects. A parent that holds a non-object is left as it is:
 * the field then reads as missing, which is what the topology would make of that record anyway.
 */
function setPath(record: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let target = record;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const key = parts[i]!;
    const next = target[key];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      target[key] = created;
      target = created;
    } else if (typeof next === 'object') target = next as Record<string, unknown>;
    else return;
  }
  target[parts[last]!] = value;
}

/**
 * A value as the engine's decoded records hold it: Int64 (bigint) and dates become numbers. Event times may also be
 * ISO-8601 or digit strings; returns undefined for an event time that is neither (a rejected row).
 */
function normalise(value: unknown, isTime: boolean): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (isTime && typeof value === 'string') {
    let t = utcIsoTime(value);
    if (Number.isNaN(t)) t = parseTimeText(value);
    return Number.isFinite(t) ? t : undefined;
  }
  return value;
}

/**
 * Epoch ms of `YYYY-MM-DDTHH:mm:ss[.sss]Z` (what toISOString writes, the common case in event files) without a
 * regular expression or Date.parse, which cost several times more per row; NaN when the string has another form,
 * which then goes to the general rule (parseTimeText). Field ranges are checked as Date.parse checks them.
 */
function utcIsoTime(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 0x5a) return Number.NaN;
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54) return Number.NaN;
  if (s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return Number.NaN;
  if (n === 24 && s.charCodeAt(19) !== 0x2e) return Number.NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = n === 24 ? digits(s, 20, 3) : 0;
  // Date.UTC reads years 0-99 as 1900-1999; leave those to the general rule.
  if (
    !(
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      minute <= 59 &&
      second <= 59 &&
      (hour < 24 || (hour === 24 && minute === 0 && second === 0 && ms === 0))
    )
  ) {
    return Number.NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The decimal number in s[from, from + count), or NaN if any of it is not a digit. */
function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

function badTime(field: ResolvedField, value: unknown): string {
  return `event time field ${field.path} is ${JSON.stringify(value)}, expected epoch milliseconds or an ISO-8601 date-time`;
}

/**
 * Makes an object record (an NDJSON line, a Parquet row) what the caller reads: each field at its path, found by its
 * flat names when the path is empty, with normalised values. Returns a rejection reason, or null.
 */
function fixRecord(record: Record<string, unknown>, fields: readonly ResolvedField[]): string | null {
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    let value = field.get(record);
    let moved = false;
    if (value === undefined) {
      for (const name of field.fallbacks) {
        value = record[name];
        if (value !== undefined) {
          moved = true;
          break;
        }
      }
      if (value === undefined) continue;
    }
    const type = typeof value;
    if (type === 'number' || value === null || (type === 'string' && !field.isTime)) {
      if (moved) setPath(record, field.parts, value);
      continue;
    }
    const fixed = normalise(value, field.isTime);
    if (fixed === undefined) return badTime(field, value);
    if (moved || fixed !== value) setPath(record, field.parts, fixed);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Batching

class BatchCollector {
  records: Record<string, unknown>[] = [];
  locations: number[] = [];
  rejected: RejectedInput[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  get full(): boolean {
    return this.records.length + this.rejected.length >= this.#size;
  }

  get empty(): boolean {
    return this.records.length === 0 && this.rejected.length === 0;
  }

  add(record: Record<string, unknown>, location: number): void {
    this.records.push(record);
    this.locations.push(location);
  }

  reject(location: number, reason: string): void {
    this.rejected.push({ location, reason });
  }

  take(progress: number): EventRecordBatch {
    const batch = { records: this.records, locations: this.locations, rejected: this.rejected, progress };
    this.records = [];
    this.locations = [];
    this.rejected = [];
    return batch;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Text formats (streamed)

type TextBatches = (stream: ReturnType<typeof createReadStream>) => AsyncGenerator<EventRecordBatch>;

async function textReader(
  file: string,
  format: 'ndjson' | 'csv',
  size: number,
  batches: TextBatches,
): Promise<EventReader> {
  // CSV reads its header up front, so a bad header or a missing column fails before the run starts.
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const iterator = batches(stream);
  let first: IteratorResult<EventRecordBatch> | undefined;
  if (format === 'csv') {
    try {
      first = await iterator.next();
    } catch (error) {
      stream.destroy();
      throw error;
    }
  }
  return {
    file,
    format,
    locationUnit: 'line',
    progressUnit: 'bytes',
    progressTotal: size,
    close: () => stream.destroy(),
    async *[Symbol.asyncIterator]() {
      try {
        if (first !== undefined) {
          if (first.done === true) return;
          yield first.value;
        }
        yield* iterator;
      } finally {
        stream.destroy();
      }
    },
  };
}

/** Text chunks of a stream with the bytes read after each, so progress can be reported in bytes of the file. */
async function* chunksOf(
  file: string,
  stream: ReturnType<typeof createReadStream>,
): AsyncGenerator<{ text: string; bytes: number }> {
  try {
    for await (const chunk of stream) yield { text: chunk as string, bytes: stream.bytesRead };
  } catch (error) {
    throw inputError(file, `cannot read file (${(error as Error).message})`, {}, error);
  }
}

async function* ndjsonBatches(
  file: string,
  stream: ReturnType<typeof createReadStream>,
  fields: readonly ResolvedField[],
  batchSize: number,
): AsyncGenerator<EventRecordBatch> {
  const out = new BatchCollector(batchSize);
  let rest = '';
  let line = 0;
  let bytes = 0;
  const take = (text: string) => {
    line++;
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      out.reject(line, `not valid JSON (${(error as Error).message})`);
      return;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      out.reject(line, 'expected a JSON object per line');
      return;
    }
    const reason = fixRecord(record as Record<string, unknown>, fields);
    if (reason === null) out.add(record as Record<string, unknown>, line);
    else out.reject(line, reason);
  };
  for await (const chunk of chunksOf(file, stream)) {
    const text = chunk.text;
    let start = bytes === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    bytes = chunk.bytes;
    if (rest !== '') {
      const nl = text.indexOf('\n');
      if (nl === -1) {
        rest += text;
        continue;
      }
      take(rest + text.slice(0, nl));
      rest = '';
      start = nl + 1;
    }
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
      if (out.full) yield out.take(bytes);
    }
    rest = text.slice(start);
    if (out.full) yield out.take(bytes);
  }
  if (rest !== '') take(rest);
  if (!out.empty) yield out.take(bytes);
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** One CSV record: its first line, its cells (quoted cells as strings), or why it is malformed. */
interface CsvRecord {
  line: number;
  cells: Cell[];
  error: string | null;
}

/**
 * Incremental RFC 4180 parser (the dialect of read-csv.ts): complete records are parsed out of each chunk, and an
 * incomplete last record is kept and parsed again with the next chunk. A malformed record (a quote inside an
 * unquoted field, text after a closing quote, an unclosed quote at the end of the file) is returned with its error
 * rather than thrown, so one bad row does not end a backtest.
 */
class CsvParser {
  #rest = '';
  #line = 1;
  #header = true;

  /** Parses `chunk` (with what was left over); `final` when the file ends with it. */
  push(chunk: string, final: boolean, out: CsvRecord[]): void {
    let s = this.#rest === '' ? chunk : this.#rest + chunk;
    if (this.#header && this.#line === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    const n = s.length;
    let i = 0;
    let line = this.#line;
    while (i < n) {
      const parsed = this.#record(s, i, line, final);
      if (parsed === null) break;
      i = parsed.next;
      line = parsed.nextLine;
      const r = parsed.record;
      // A blank line is no record.
      const blank = r.error === null && r.cells.length === 1 && !parsed.quotedFirst;
      if (blank && (r.cells[0] === null || r.cells[0] === '')) continue;
      this.#header = false;
      out.push(r);
    }
    this.#rest = i < n ? s.slice(i) : '';
    this.#line = line;
  }

  /** Parses the record at `i`; null when it is not complete in `s` and more text may follow. */
  #record(
    s: string,
    i: number,
    line: number,
    final: boolean,
  ): { record: CsvRecord; next: number; nextLine: number; quotedFirst: boolean } | null {
    const n = s.length;
    const cells: Cell[] = [];
    const header = this.#header;
    let j = i;
    let lines = 0;
    let quotedFirst = false;
    for (;;) {
      if (j < n && s.charCodeAt(j) === QUOTE) {
        if (cells.length === 0) quotedFirst = true;
        let text = '';
        let from = j + 1;
        for (;;) {
          const q = s.indexOf('"', from);
          if (q === -1 || (q === n - 1 && !final)) {
            if (!final) return null;
            return {
              record: { line, cells: [], error: 'quoted field is not closed' },
              next: n,
              nextLine: line + lines,
              quotedFirst: false,
            };
          }
          if (s.charCodeAt(q + 1) === QUOTE) {
            text += s.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          text += s.slice(from, q);
          j = q + 1;
          break;
        }
        for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) lines++;
        cells.push(text);
        // Spaces may follow a closing quote; anything else is malformed.
        while (j < n && s.charCodeAt(j) === 0x20) j++;
      } else {
        let k = j;
        let quoteAt = -1;
        for (; k < n; k++) {
          const c = s.charCodeAt(k);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE && quoteAt === -1) quoteAt = k;
        }
        if (k === n && !final) return null;
        if (quoteAt !== -1) {
          return this.#malformed(s, quoteAt, line, lines, final, 'quote in the middle of an unquoted field');
        }
        const raw = s.slice(j, k);
        cells.push(header ? raw : csvCell(raw));
        j = k;
      }
      if (j >= n) {
        if (!final) return null;
        break;
      }
      const c = s.charCodeAt(j);
      if (c === COMMA) {
        j++;
        continue;
      }
      if (c === LF) {
        j++;
        lines++;
        break;
      }
      if (c === CR) {
        if (j + 1 === n && !final) return null;
        j += s.charCodeAt(j + 1) === LF ? 2 : 1;
        lines++;
        break;
      }
      return this.#malformed(s, j, line, lines, final, 'text after a closing quote');
    }
    return { record: { line, cells, error: null }, next: j, nextLine: line + lines, quotedFirst };
  }

  /** A malformed record from `line`: skips to the end of the physical line at or after `j`; null if not in `s` yet. */
  #malformed(s: string, j: number, line: number, lines: number, final: boolean, reason: string) {
    const nl = s.indexOf('\n', j);
    if (nl === -1 && !final) return null;
    return {
      record: { line, cells: [], error: reason },
      next: nl === -1 ? s.length : nl + 1,
      nextLine: line + lines + (nl === -1 ? 0 : 1),
      quotedFirst: false,
    };
  }
}

async function* csvBatches(
  file: string,
  stream: ReturnType<typeof createReadStream>,
  fields: readonly ResolvedField[],
  batchSize: number,
): AsyncGenerator<EventRecordBatch> {
  const parser = new CsvParser();
  const out = new BatchCollector(batchSize);
  const records: CsvRecord[] = [];
  let columns: { field: ResolvedField; index: number }[] | null = null;
  let width = 0;
  let bytes = 0;
  function* consume(): Generator<EventRecordBatch> {
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      if (columns === null) {
        if (record.error !== null) throw inputError(file, `line ${record.line}: header row: ${record.error}`);
        const header = record.cells.map((c) => String(c).trim());
        width = header.length;
        columns = mapHeader(file, header, fields);
        continue;
      }
      if (record.error !== null) {
        out.reject(record.line, record.error);
        continue;
      }
      const cells = record.cells;
      if (cells.length !== width) {
        out.reject(record.line, `expected ${width} fields as in the header, got ${cells.length}`);
        continue;
      }
      const reason = buildRecord(columns, cells, out, record.line);
      if (reason !== null) out.reject(record.line, reason);
      if (out.full) yield out.take(bytes);
    }
    records.length = 0;
  }
  for await (const chunk of chunksOf(file, stream)) {
    bytes = chunk.bytes;
    parser.push(chunk.text, false, records);
    yield* consume();
  }
  parser.push('', true, records);
  yield* consume();
  if (columns === null) throw inputError(file, 'empty file, expected a header row');
  if (!out.empty) yield out.take(bytes);
}

/** Which column each field is read from; throws for a bad header or a required field without a column. */
function mapHeader(
  file: string,
  header: readonly string[],
  fields: readonly ResolvedField[],
): { field: ResolvedField; index: number }[] {
  if (header.some((h) => h === ''))
    throw inputError(file, 'header row has an empty column name', { line: 1 });
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined)
    throw inputError(file, `header row names column "${duplicate}" twice`, { line: 1 });
  const columns: { field: ResolvedField; index: number }[] = [];
  for (const field of fields) {
    const name = field.names.find((c) => header.includes(c));
    if (name !== undefined) columns.push({ field, index: header.indexOf(name) });
    else if (field.required) throw missingColumn(file, field);
  }
  return columns;
}

function missingColumn(file: string, field: ResolvedField) {
  return inputError(file, `no column for ${field.label} (looked for ${field.names.join(' or ')})`, {
    field: field.path,
  });
}

/** Builds a nested record from a flat row's cells and adds it; returns a rejection reason, or null. */
function buildRecord(
  columns: readonly { field: ResolvedField; index: number }[],
  cells: readonly unknown[],
  out: BatchCollector,
  location: number,
): string | null {
  const record: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++) {
    const { field, index } = columns[c]!;
    let value = cells[index];
    if (value === undefined) continue;
    if (typeof value !== 'number' && value !== null && !(typeof value === 'string' && !field.isTime)) {
      const fixed = normalise(value, field.isTime);
      if (fixed === undefined) return badTime(field, value);
      value = fixed;
    }
    const parts = field.parts;
    if (parts.length === 1) record[parts[0]!] = value;
    else setPath(record, parts, value);
  }
  out.add(record, location);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Columnar formats

async function parquetReader(
  file: string,
  fields: readonly ResolvedField[],
  batchSize: number,
): Promise<EventReader> {
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw inputError(file, `not a readable Parquet file (${(error as Error).message})`, {}, error);
  }
  const top = parquetSchema(metadata).children.map((c) => c.element.name);
  // Columns to read: flat columns named like a field, and struct columns holding a field's path.
  const wanted = new Set<string>();
  for (const field of fields) {
    const flat = field.names.find((name) => top.includes(name));
    const struct = field.parts.length > 1 && top.includes(field.parts[0]!) ? field.parts[0]! : undefined;
    if (struct !== undefined) wanted.add(struct);
    if (flat !== undefined) wanted.add(flat);
    if (flat === undefined && struct === undefined && field.required) throw missingColumn(file, field);
  }
  const total = Number(metadata.num_rows);
  return {
    file,
    format: 'parquet',
    locationUnit: 'row',
    progressUnit: 'rows',
    progressTotal: total,
    close: () => {},
    async *[Symbol.asyncIterator]() {
      const out = new BatchCollector(batchSize);
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const rowEnd = rowStart + Number(group.num_rows);
        let rows: Record<string, unknown>[];
        try {
          rows = (await parquetReadObjects({
            file: buffer,
            metadata,
            columns: [...wanted],
            rowStart,
            rowEnd,
            compressors,
          })) as Record<string, unknown>[];
        } catch (error) {
          throw inputError(
            file,
            `rows ${rowStart + 1}-${rowEnd}: not readable (${(error as Error).message})`,
            { row: rowStart + 1 },
            error,
          );
        }
        for (let r = 0; r < rows.length; r++) {
          const row = rowStart + r + 1;
          const reason = fixRecord(rows[r]!, fields);
          if (reason === null) out.add(rows[r]!, row);
          else out.reject(row, reason);
          if (out.full) yield out.take(row);
        }
        rowStart = rowEnd;
      }
      if (!out.empty) yield out.take(rowStart);
    },
  };
}

async function arrowReader(
  file: string,
  fields: readonly ResolvedField[],
  batchSize: number,
): Promise<EventReader> {
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(await readFile(file));
  } catch (error) {
    throw inputError(file, `not an Arrow IPC file or stream (${(error as Error).message})`, {}, error);
  }
  // The reader returns an empty table for bytes that are not IPC at all rather than throwing.
  if (table.schema.fields.length === 0)
    throw inputError(file, 'not an Arrow IPC file or stream (no schema found)');
  const top = table.schema.fields.map((f) => f.name);
  // Each field's column: a flat column by name, or a struct column's child along the path.
  const plan: { field: ResolvedField; column: (batch: RecordBatch) => Vector | null }[] = [];
  for (const field of fields) {
    const flat = field.names.find((name) => top.includes(name));
    if (flat !== undefined) {
      plan.push({ field, column: (batch) => batch.getChild(flat) });
      continue;
    }
    const nested = (batch: RecordBatch): Vector | null => {
      let vector: Vector | null = batch.getChild(field.parts[0]!);
      for (let i = 1; i < field.parts.length && vector !== null; i++)
        vector = vector.getChild(field.parts[i]!);
      return vector;
    };
    if (field.parts.length > 1 && table.batches.length > 0 && nested(table.batches[0]!) !== null) {
      plan.push({ field, column: nested });
    } else if (field.required) throw missingColumn(file, field);
  }
  return {
    file,
    format: 'arrow',
    locationUnit: 'row',
    progressUnit: 'rows',
    progressTotal: table.numRows,
    close: () => {},
    async *[Symbol.asyncIterator]() {
      const out = new BatchCollector(batchSize);
      let row = 0;
      for (const batch of table.batches) {
        const vectors = plan.map((p) => p.column(batch));
        const cells: unknown[] = new Array(plan.length);
        const columns = plan.map((p, index) => ({ field: p.field, index }));
        for (let r = 0; r < batch.numRows; r++) {
          row++;
          for (let c = 0; c < vectors.length; c++) {
            const v: unknown = vectors[c]?.get(r);
            cells[c] = v === undefined ? null : v;
          }
          const reason = buildRecord(columns, cells, out, row);
          if (reason !== null) out.reject(row, reason);
          if (out.full) yield out.take(row);
        }
      }
      if (!out.empty) yield out.take(row);
    },
  };
}
