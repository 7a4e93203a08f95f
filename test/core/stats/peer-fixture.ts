import { readFileSync } from 'node:fs';
import type { Binning, TestConvention } from '../../../src/core/drift/conventions.ts';
import { fitEdges } from '../../../src/core/stats/bucket-edges.ts';
import {
  countNumeric,
  NUMERIC_FIRST_INNER_BUCKET,
  NUMERIC_MISSING_BUCKET,
  NUMERIC_NEG_INFINITY_BUCKET,
  numericBucketCount,
  numericPosInfinityBucket,
} from '../../../src/core/stats/numeric-buckets.ts';

/**
 * test/fixtures/peers/golden-peers.json (written by generate_peer_golden.py from the real Evidently and NannyML, and
 * from TFDV's formulas) and the CSV data it was computed on, plus the glue that turns a convention's binning into
 * count vectors.
 */

export type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';

export interface PeerCase {
  readonly tool: 'evidently' | 'nannyml' | 'tfdv';
  readonly dataset: string;
  readonly column: string;
  readonly kind: 'numeric' | 'categorical';
  readonly dtype: string;
  readonly test: string;
  readonly value?: Encoded | string;
  readonly pValue?: Encoded;
  readonly statistic?: Encoded;
  readonly threshold?: number;
  readonly drift?: boolean;
  readonly edges?: number[];
  readonly argmax?: string;
  readonly zeroKey?: string;
  readonly error?: string;
  readonly referenceRows?: number;
  readonly currentRows?: number;
  readonly derivation?: 'formula';
  readonly sharedBoundaries?: boolean;
}

export interface NumpyEdgeCase {
  /** Key into numpyHistogramBinEdges.arrays. */
  readonly name: string;
  readonly bins: 'doane' | 'sturges' | number;
  readonly edges?: Encoded[];
  readonly error?: string;
}

export interface PeerGolden {
  readonly versions: Record<string, string>;
  readonly datasets: Record<
    string,
    {
      readonly columns: Record<string, 'numeric' | 'categorical'>;
      readonly reference: string;
      readonly current: string;
    }
  >;
  readonly cases: PeerCase[];
  readonly numpyHistogramBinEdges: {
    readonly arrays: Record<string, { readonly dtype: string; readonly values: number[] }>;
    readonly cases: NumpyEdgeCase[];
  };
  readonly erfc: { x: number; erfc: number }[];
}

const DIR = new URL('../../fixtures/peers/', import.meta.url);

export const peers: PeerGolden = JSON.parse(readFileSync(new URL('golden-peers.json', DIR), 'utf8'));

export function decode(v: Encoded): number {
  return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
}

/** A column as read from CSV: numbers for numeric columns, strings for categorical ones, null when empty. */
export type Cell = number | string | null;

function parseCsv(file: string): Record<string, Cell[]> {
  const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n');
  const header = lines[0]!.split(',');
  const columns: Record<string, string[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const cells = line.split(',');
    header.forEach((h, i) => {
      columns[h]!.push(cells[i]!);
    });
  }
  return columns as unknown as Record<string, Cell[]>;
}

export interface ColumnData {
  readonly kind: 'numeric' | 'categorical';
  readonly reference: Cell[];
  readonly current: Cell[];
}

const cache = new Map<string, Record<string, ColumnData>>();

/** The columns of one data set, typed by the data set's declared kinds (numeric cells parsed with Number). */
export function dataset(name: string): Record<string, ColumnData> {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const spec = peers.datasets[name]!;
  const ref = parseCsv(spec.reference);
  const cur = parseCsv(spec.current);
  const out: Record<string, ColumnData> = {};
  for (const [column, kind] of Object.entries(spec.columns)) {
    const parse = (cells: Cell[]): Cell[] =>
      cells.map((c) => (c === '' ? null : kind === 'numeric' ? Number(c) : (c as string)));
    out[column] = { kind, reference: parse(ref[column]!), current: parse(cur[column]!) };
  }
  cache.set(name, out);
  return out;
}

/** Sorted distinct keys: numbers numerically, strings by UTF-16 code unit (= bytewise for ASCII, Python's order). */
function sortedKeys(values: Cell[]): Cell[] {
  const keys = [...new Set(values.filter((v) => v !== null))];
  return keys.sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1,
  );
}

export interface Counted {
  readonly reference: Float64Array;
  readonly current: Float64Array;
  /** Labels of the buckets (category or value), where the layout has them. */
  readonly labels: string[];
  /** Fitted numeric edges, when the binning fits edges. */
  readonly edges?: Float64Array;
  /** Buckets TFDV never matches across sides (missing, ±inf), for its numeric JS. */
  readonly mismatched: number[];
}

function countByKeys(keys: Cell[], values: Cell[], extra: number): Float64Array {
  const index = new Map(keys.map((k, i) => [k, i]));
  const out = new Float64Array(keys.length + extra);
  for (const v of values) {
    if (v === null) continue;
    const i = index.get(v);
    out[i === undefined ? keys.length : i]!++;
  }
  return out;
}

function nullCount(values: Cell[]): number {
  return values.filter((v) => v === null).length;
}

function numbers(values: Cell[]): Float64Array {
  return Float64Array.from(values.filter((v): v is number => typeof v === 'number'));
}

/**
 * The count vectors a convention's binning gives for one column: the interpretation of the `input` of a
 * TestConvention that the golden tests rely on.
 */
export function countFor(input: Binning, column: ColumnData, dtype: string): Counted {
  const { reference, current } = column;
  switch (input.type) {
    case 'categories': {
      const own = input.missing === 'own bucket';
      if (input.categories === 'union') {
        const keys = sortedKeys([...reference, ...current]);
        const ref = countByKeys(keys, reference, own ? 1 : 0);
        const cur = countByKeys(keys, current, own ? 1 : 0);
        if (own) {
          ref[keys.length] = nullCount(reference);
          cur[keys.length] = nullCount(current);
        }
        return { reference: ref, current: cur, labels: keys.map(String), mismatched: [] };
      }
      const keys = sortedKeys(reference);
      const ref = countByKeys(keys, reference, own ? 2 : 1);
      const cur = countByKeys(keys, current, own ? 2 : 1);
      if (own) {
        ref[keys.length + 1] = nullCount(reference);
        cur[keys.length + 1] = nullCount(current);
      }
      return { reference: ref, current: cur, labels: [...keys.map(String), '(unseen)'], mismatched: [] };
    }
    case 'distinct-values': {
      const keys = sortedKeys([...reference, ...current]);
      return {
        reference: countByKeys(keys, reference, 0),
        current: countByKeys(keys, current, 0),
        labels: keys.map(String),
        mismatched: [],
      };
    }
    case 'edges': {
      if (input.distinctValuesUpTo !== null && sortedKeys(reference).length <= input.distinctValuesUpTo) {
        return countFor(
          { type: 'distinct-values', fitOn: 'reference+current', missing: input.missing, nonFinite: '' },
          column,
          dtype,
        );
      }
      const ref = numbers(reference);
      const cur = numbers(current);
      const fitValues =
        input.fitOn === 'reference' || input.fitOn === 'each side'
          ? ref
          : input.fitOn === 'reference+current'
            ? Float64Array.from([...ref, ...cur])
            : Float64Array.from(new Set([...ref, ...cur]));
      const strategy =
        input.integerRule &&
        dtype.startsWith('int') &&
        (input.edges.kind === 'doane' || input.edges.kind === 'sturges')
          ? { ...input.edges, integer: true }
          : input.edges;
      const edges = fitEdges(fitValues, strategy);
      const layout = (values: Cell[]): Float64Array => {
        const out = new Float64Array(numericBucketCount(edges));
        const v = Float64Array.from(values, (c) => (c === null ? Number.NaN : (c as number)));
        countNumeric(v, null, v.length, edges, out);
        if (input.missing === 'dropped') out[NUMERIC_MISSING_BUCKET] = 0;
        return out;
      };
      const refFull = layout(reference);
      const curFull = layout(current);
      const inner = (full: Float64Array): Float64Array =>
        full.slice(NUMERIC_FIRST_INNER_BUCKET, NUMERIC_FIRST_INNER_BUCKET + edges.length - 1);
      switch (input.outside) {
        case 'none (edges cover both samples)':
          if (input.fitOn === 'each side') {
            return {
              reference: refFull,
              current: curFull,
              labels: [],
              edges,
              mismatched: [
                NUMERIC_MISSING_BUCKET,
                NUMERIC_NEG_INFINITY_BUCKET,
                numericPosInfinityBucket(edges),
              ],
            };
          }
          return { reference: inner(refFull), current: inner(curFull), labels: [], edges, mismatched: [] };
        case 'leftover bucket': {
          const leftover = (full: Float64Array): Float64Array => {
            const out = new Float64Array(edges.length);
            out.set(inner(full));
            out[edges.length - 1] = full.reduce((s, x) => s + x, 0) - inner(full).reduce((s, x) => s + x, 0);
            return out;
          };
          return {
            reference: leftover(refFull),
            current: leftover(curFull),
            labels: [],
            edges,
            mismatched: [],
          };
        }
        case 'underflow/overflow buckets':
          return {
            reference: refFull,
            current: curFull,
            labels: [],
            edges,
            mismatched: [],
          };
      }
      throw new Error(`unhandled outside rule ${input.outside}`);
    }
    case 'samples':
      throw new Error('sample-based input has no counts');
  }
}

/** Count-based tests this fixture reproduces (the sample-based ones are wired elsewhere). */
export const COUNT_BASED_TESTS = new Set([
  'psi',
  'kl',
  'js',
  'hellinger',
  'chi2',
  'z',
  'linf',
  'normalized_abs_difference',
]);

/** Distinct non-missing values of reference + current (pandas nunique of the concatenation). */
export function uniqueCount(column: ColumnData): number {
  return sortedKeys([...column.reference, ...column.current]).length;
}

/** Non-missing reference rows. */
export function referenceRows(column: ColumnData): number {
  return column.reference.filter((v) => v !== null).length;
}

export function isDrift(conv: TestConvention, value: number): boolean | null {
  const rule = conv.threshold;
  if (rule === null || rule.value === null) return null;
  switch (rule.compare) {
    case '>=':
      return value >= rule.value;
    case '>':
      return value > rule.value;
    case '<':
      return value < rule.value;
    case '<=':
      return value <= rule.value;
  }
}
