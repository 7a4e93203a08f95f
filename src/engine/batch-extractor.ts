import type { ColumnLayout, EventBatch } from '../core/window/event-batch.ts';
import { ErrorCodes } from '../errors.ts';
import type { Topology } from '../topology/topology-types.ts';
import { compileFieldPath, type FieldGetter } from './field-path.ts';

export interface RejectedRow {
  /** Index of the row in the input. */
  readonly index: number;
  readonly code: typeof ErrorCodes.EVENT_INVALID;
  readonly reason: string;
}

/**
 * Turns decoded records of one partition into a columnar EventBatch for a topology, rejecting records that lack
 * what the topology needs: an event time, or a feature value of the wrong type. A missing or null feature value is
 * not a rejection: it is counted in the feature's `missing` bucket. A missing model name or version is recorded as
 * the empty string, since it does not prevent drift from being measured.
 */
export class BatchExtractor {
  readonly layout: ColumnLayout;
  readonly #eventTime: FieldGetter;
  readonly #eventTimeField: string;
  readonly #modelName: FieldGetter;
  readonly #modelVersion: FieldGetter;
  readonly #numeric: { field: string; get: FieldGetter }[];
  readonly #categorical: { field: string; get: FieldGetter }[];

  constructor(topology: Topology) {
    const numeric = topology.features.filter((f) => f.kind === 'numeric');
    const categorical = topology.features.filter((f) => f.kind === 'categorical');
    this.layout = { numeric: numeric.map((f) => f.name), categorical: categorical.map((f) => f.name) };
    this.#eventTimeField = topology.source.eventTimeField;
    this.#eventTime = compileFieldPath(topology.source.eventTimeField);
    this.#modelName = compileFieldPath(topology.source.modelNameField);
    this.#modelVersion = compileFieldPath(topology.source.modelVersionField);
    this.#numeric = numeric.map((f) => ({ field: f.field, get: compileFieldPath(f.field) }));
    this.#categorical = categorical.map((f) => ({ field: f.field, get: compileFieldPath(f.field) }));
  }

  extract(
    partition: number,
    records: readonly unknown[],
    offsets: readonly number[],
  ): { batch: EventBatch; rejected: RejectedRow[] } {
    const n = records.length;
    const eventTimes = new Float64Array(n);
    const rowOffsets = new Float64Array(n);
    const numeric = this.#numeric.map(() => new Float64Array(n));
    const numericValid = this.#numeric.map(() => new Uint8Array(n));
    const categorical = this.#categorical.map(() => new Array<string | null>(n));
    const modelNames = new Array<string>(n);
    const modelVersions = new Array<string>(n);
    const rejected: RejectedRow[] = [];
    let length = 0;
    rows: for (let i = 0; i < n; i++) {
      const record = records[i];
      const t = this.#eventTime(record);
      if (typeof t !== 'number' || !Number.isFinite(t)) {
        rejected.push(
          invalid(
            i,
            `event time field ${this.#eventTimeField} is ${describe(t)}, expected epoch milliseconds`,
          ),
        );
        continue;
      }
      for (let c = 0; c < this.#numeric.length; c++) {
        const v = this.#numeric[c]!.get(record);
        if (v === null || v === undefined) {
          numericValid[c]![length] = 0;
          numeric[c]![length] = Number.NaN;
        } else if (typeof v === 'number') {
          numericValid[c]![length] = 1;
          numeric[c]![length] = v;
        } else {
          rejected.push(invalid(i, `numeric feature field ${this.#numeric[c]!.field} is ${describe(v)}`));
          continue rows;
        }
      }
      for (let c = 0; c < this.#categorical.length; c++) {
        const v = this.#categorical[c]!.get(record);
        if (v === null || v === undefined) categorical[c]![length] = null;
        else if (typeof v === 'string') categorical[c]![length] = v;
        else if (typeof v === 'boolean' || typeof v === 'number') categorical[c]![length] = String(v);
        else {
          rejected.push(
            invalid(i, `categorical feature field ${this.#categorical[c]!.field} is ${describe(v)}`),
          );
          continue rows;
        }
      }
      const name = this.#modelName(record);
      const version = this.#modelVersion(record);
      modelNames[length] = typeof name === 'string' ? name : '';
      modelVersions[length] = typeof version === 'string' ? version : '';
      eventTimes[length] = t;
      rowOffsets[length] = offsets[i]!;
      length++;
    }
    return {
      batch: {
        partition,
        length,
        offsets: rowOffsets,
        eventTimes,
        numeric,
        numericValid,
        categorical,
        modelNames,
        modelVersions,
      },
      rejected,
    };
  }
}

function invalid(index: number, reason: string): RejectedRow {
  return { index, code: ErrorCodes.EVENT_INVALID, reason };
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  // JSON.stringify would print NaN and Infinity as null (and throw on a bigint).
  if (typeof value === 'number' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`;
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
