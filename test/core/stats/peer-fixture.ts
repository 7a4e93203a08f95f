import { readFileSync } from 'node:fs';
import {
  type BucketCounts,
  bucketCounts,
  uniqueCount as distinctValues,
} from '../../../src/core/drift/convention-buckets.ts';
import type { Binning, TestConvention } from '../../../src/core/drift/conventions.ts';
import type { FeatureValues } from '../../../src/core/drift/feature-values.ts';

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

export type Counted = BucketCounts;

function featureOf(cells: Cell[], kind: 'numeric' | 'categorical', integer: boolean): FeatureValues {
  if (kind === 'categorical') return { kind, values: cells.map((c) => (c === null ? null : String(c))) };
  const values = Float64Array.from(cells, (c) => (c === null ? Number.NaN : (c as number)));
  const valid = Uint8Array.from(cells, (c) => (c === null ? 0 : 1));
  return { kind, values, valid, integer };
}

/**
 * The count vectors a convention's binning gives for one column, through the product's own interpretation
 * (src/core/drift/convention-buckets.ts). `dtype` is the pandas dtype the tool saw, which decides numpy's integer
 * rule for Doane and Sturges edges.
 */
export function countFor(input: Binning, column: ColumnData, dtype: string): Counted {
  const integer = dtype.startsWith('int');
  return bucketCounts(
    input,
    featureOf(column.reference, column.kind, integer),
    featureOf(column.current, column.kind, integer),
  );
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
  return distinctValues(
    featureOf(column.reference, column.kind, false),
    featureOf(column.current, column.kind, false),
  );
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
