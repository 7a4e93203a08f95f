import { type Clock, systemClock } from '../core/time/clock.ts';
import type { ColumnLayout, EventBatch } from '../core/window/event-batch.ts';
import { ErrorCodes } from '../errors.ts';
import type { Topology } from '../topology/topology-types.ts';
import { categoryOf } from './category-value.ts';
import { describeValue } from './describe-value.ts';
import { compileFieldPath, type FieldGetter } from './field-path.ts';

export interface RejectedRow {
  /** Index of the row in the input. */
  readonly index: number;
  readonly code: typeof ErrorCodes.EVENT_INVALID;
  readonly reason: string;
}

/**
 * Turns decoded records of one partition into a columnar EventBatch for a topology, rejecting records that lack
 * what the topology needs: an event time (always), or a feature value of the wrong type under the data-quality policy
 * `onTypeMismatch: dead-letter`. Under `count` (the default) a wrong-typed feature value is written as missing and
 * flagged in the batch's `typeMismatches`, and the record is kept, so its other features still count. A missing or
 * null feature value is not a rejection: it is counted in the feature's `missing` bucket. A missing model name or
 * version is recorded as the empty string, since it does not prevent drift from being measured.
 */
export class BatchExtractor {
  readonly layout: ColumnLayout;
  /** null in processing time: rows are stamped with the clock when extracted. */
  readonly #eventTime: FieldGetter | null;
  readonly #eventTimeField: string;
  readonly #clock: Clock;
  readonly #segment: FieldGetter | null;
  readonly #modelName: FieldGetter;
  readonly #modelVersion: FieldGetter;
  readonly #numeric: { field: string; get: FieldGetter }[];
  readonly #categorical: { field: string; get: FieldGetter; boolean: boolean }[];
  /** `onTypeMismatch: count`: keep the record and flag the value rather than reject the record. */
  readonly #countMismatches: boolean;

  constructor(topology: Topology, clock: Clock = systemClock) {
    const numeric = topology.features.filter((f) => f.kind === 'numeric');
    // Boolean features are counted as the categories "true" and "false".
    const categorical = topology.features.filter((f) => f.kind !== 'numeric');
    this.layout = { numeric: numeric.map((f) => f.name), categorical: categorical.map((f) => f.name) };
    const timeField = topology.source.eventTimeField;
    this.#eventTimeField = timeField ?? '';
    this.#eventTime = timeField === null ? null : compileFieldPath(timeField);
    this.#clock = clock;
    this.#segment = topology.segments === null ? null : compileFieldPath(topology.segments.field);
    this.#modelName = compileFieldPath(topology.source.modelNameField);
    this.#modelVersion = compileFieldPath(topology.source.modelVersionField);
    this.#numeric = numeric.map((f) => ({ field: f.field, get: compileFieldPath(f.field) }));
    this.#categorical = categorical.map((f) => ({
      field: f.field,
      get: compileFieldPath(f.field),
      boolean: f.kind === 'boolean',
    }));
    this.#countMismatches = topology.dataQuality.onTypeMismatch === 'count';
  }

  /**
   * Starts a columnar batch of at most `capacity` rows. Records are pushed one at a time right after decoding, so a
   * decoded record is garbage as soon as its values are copied out (a whole batch of records kept alive until
   * extraction survives into the old generation and costs the GC dearly).
   */
  begin(capacity: number): BatchBuilder {
    return new BatchBuilder(this, capacity);
  }

  /** Extracts a whole array of records (convenience over `begin`/`push`/`finish`). */
  extract(
    partition: number,
    records: readonly unknown[],
    offsets: readonly number[],
  ): { batch: EventBatch; rejected: RejectedRow[] } {
    const builder = this.begin(records.length);
    const rejected: RejectedRow[] = [];
    for (let i = 0; i < records.length; i++) {
      const reason = builder.push(records[i], offsets[i]!);
      if (reason !== null) rejected.push(invalid(i, reason));
    }
    return { batch: builder.finish(partition), rejected };
  }

  /**
   * @internal Writes `record` as row `row` of the builder's columns; returns a rejection reason or null. Mismatch flags
   * are only written under `count`, where nothing after the feature columns rejects a record, so a rejected row (whose
   * slot the next record reuses) never leaves a flag behind.
   */
  write(b: BatchBuilder, row: number, record: unknown): string | null {
    const t = this.#eventTime === null ? this.#clock.now() : this.#eventTime(record);
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      return `event time field ${this.#eventTimeField} is ${describeValue(t)}, expected epoch milliseconds`;
    }
    const nNumeric = this.#numeric.length;
    for (let c = 0; c < nNumeric; c++) {
      const v = this.#numeric[c]!.get(record);
      if (typeof v === 'number') {
        b.numericValid[c]![row] = 1;
        b.numeric[c]![row] = v;
        continue;
      }
      b.numericValid[c]![row] = 0;
      b.numeric[c]![row] = Number.NaN;
      if (v === null || v === undefined) continue;
      if (!this.#countMismatches)
        return `numeric feature field ${this.#numeric[c]!.field} is ${describeValue(v)}`;
      b.flagMismatch(c, row);
    }
    for (let c = 0; c < this.#categorical.length; c++) {
      const column = this.#categorical[c]!;
      const v = column.get(record);
      const value = categoryOf(v, column.boolean);
      b.categorical[c]![row] = value ?? null;
      if (value !== undefined) continue;
      if (!this.#countMismatches) {
        return `${column.boolean ? 'boolean' : 'categorical'} feature field ${column.field} is ${describeValue(v)}`;
      }
      b.flagMismatch(nNumeric + c, row);
    }
    const name = this.#modelName(record);
    const version = this.#modelVersion(record);
    b.modelNames[row] = typeof name === 'string' ? name : '';
    b.modelVersions[row] = typeof version === 'string' ? version : '';
    if (this.#segment !== null && b.segments !== null) {
      const v = this.#segment(record);
      b.segments[row] =
        v === null || v === undefined
          ? null
          : typeof v === 'string'
            ? v
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v);
    }
    b.eventTimes[row] = t;
    return null;
  }

  get segmented(): boolean {
    return this.#segment !== null;
  }

  get numericCount(): number {
    return this.#numeric.length;
  }

  get categoricalCount(): number {
    return this.#categorical.length;
  }
}

/** Columns of one batch being filled; see `BatchExtractor.begin`. */
export class BatchBuilder {
  readonly #extractor: BatchExtractor;
  readonly eventTimes: Float64Array;
  readonly offsets: Float64Array;
  readonly numeric: Float64Array[];
  readonly numericValid: Uint8Array[];
  readonly categorical: (string | null)[][];
  readonly modelNames: string[];
  readonly modelVersions: string[];
  /** Each row's segment field value, when the topology has segments. */
  readonly segments: (string | null)[] | null;
  /** Per feature in layout order, 1 where the value had the wrong type; allocated at the batch's first mismatch. */
  #mismatches: Uint8Array[] | null = null;
  readonly #capacity: number;
  #length = 0;

  constructor(extractor: BatchExtractor, capacity: number) {
    this.#extractor = extractor;
    this.#capacity = capacity;
    this.eventTimes = new Float64Array(capacity);
    this.offsets = new Float64Array(capacity);
    this.numeric = Array.from({ length: extractor.numericCount }, () => new Float64Array(capacity));
    this.numericValid = Array.from({ length: extractor.numericCount }, () => new Uint8Array(capacity));
    this.categorical = Array.from(
      { length: extractor.categoricalCount },
      () => new Array<string | null>(capacity),
    );
    this.modelNames = new Array<string>(capacity);
    this.modelVersions = new Array<string>(capacity);
    this.segments = extractor.segmented ? new Array<string | null>(capacity) : null;
  }

  /** Adds a decoded record; returns null when accepted, or why it was rejected (nothing is written then). */
  push(record: unknown, offset: number): string | null {
    const row = this.#length;
    const reason = this.#extractor.write(this, row, record);
    if (reason !== null) return reason;
    this.offsets[row] = offset;
    this.#length = row + 1;
    return null;
  }

  /** @internal Flags feature `f` (layout order) of row `row` as a type mismatch. */
  flagMismatch(f: number, row: number): void {
    if (this.#mismatches === null) {
      const features = this.numeric.length + this.categorical.length;
      this.#mismatches = Array.from({ length: features }, () => new Uint8Array(this.#capacity));
    }
    this.#mismatches[f]![row] = 1;
  }

  finish(partition: number, lagging = false): EventBatch {
    const length = this.#length;
    return {
      partition,
      lagging,
      length,
      offsets: this.offsets,
      eventTimes: this.eventTimes,
      numeric: this.numeric,
      numericValid: this.numericValid,
      categorical: this.categorical,
      modelNames: this.modelNames,
      modelVersions: this.modelVersions,
      segments: this.segments,
      typeMismatches: this.#mismatches,
    };
  }
}

function invalid(index: number, reason: string): RejectedRow {
  return { index, code: ErrorCodes.EVENT_INVALID, reason };
}
