import { uniqueCount } from '../../core/drift/convention-buckets.ts';
import {
  CONVENTION_NAMES,
  type ConventionName,
  conventionFor,
  defaultTestsFor,
  TEST_NAMES,
  type TestConvention,
  type TestName,
} from '../../core/drift/conventions.ts';
import { evaluateTest, type TestResult } from '../../core/drift/evaluate-test.ts';
import {
  categoricalFeature,
  type FeatureValues,
  numericFeature,
  sideCounts,
} from '../../core/drift/feature-values.ts';
import type { EdgeStrategy } from '../../core/stats/bucket-edges.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { type ColumnTable, type DataColumn, numericAsCategories } from '../../io/column-table.ts';
import { readDataFile } from '../../io/read-data-file.ts';
import { parseCommandArgs } from '../cli-args.ts';
import { renderTable } from '../text-table.ts';

export const COMPARE_HELP = `driftwatch compare --reference <file> --current <file> [options]

Compares the distribution of every common column of two data files (CSV, NDJSON, Parquet, Arrow) and prints each
test's statistic, p-value, threshold, drift decision and the conventions used to compute it.

Options:
  --features a,b          columns to compare (default: every column both files have)
  --categorical c,d       columns to treat as categorical even if every value is a number
                          (a column with any non-numeric value is categorical anyway)
  --tests ks,psi,...      tests to run: ${TEST_NAMES.join(', ')}
                          (default: the convention's automatic choice per column); test@convention picks
                          another convention for one test, e.g. --tests psi@evidently,ks
  --convention <name>     ${CONVENTION_NAMES.join(' | ')} (default driftwatch): reproduce a tool's numbers exactly
  --threshold t=v,...     override a test's threshold, e.g. --threshold psi=0.1,wasserstein=2.5
  --binning <spec>        numeric buckets for the binned tests, fitted on the reference: quantile:<n>, doane,
                          sturges, equal-width:<n> or edges:<e1>;<e2>;... (default: the convention's)
  --epsilon <e>           value that replaces an empty bucket's proportion in psi and kl (default: the convention's)
  --format json|table     output format (default table)
`;

export interface CompareFeature {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly tests: (TestResult | (Omit<TestResult, 'statistic'> & { statistic: null; error: string }))[];
}

export async function compareCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    reference: { type: 'string' },
    current: { type: 'string' },
    features: { type: 'string' },
    categorical: { type: 'string' },
    tests: { type: 'string' },
    convention: { type: 'string' },
    threshold: { type: 'string' },
    binning: { type: 'string' },
    epsilon: { type: 'string' },
    format: { type: 'string' },
  });
  if (values.reference === undefined || values.current === undefined) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, '--reference and --current are required');
  }
  const convention = (values.convention ?? 'driftwatch') as ConventionName;
  if (!CONVENTION_NAMES.includes(convention)) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `--convention must be one of ${CONVENTION_NAMES.join(', ')}, got ${values.convention}`,
    );
  }
  const format = values.format ?? 'table';
  if (format !== 'json' && format !== 'table') {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--format must be json or table, got ${format}`);
  }
  const tests = values.tests === undefined ? undefined : list(values.tests).map(testSpec);
  const thresholds = parseThresholds(values.threshold);
  const binning = values.binning === undefined ? undefined : parseBinning(values.binning);
  const epsilon = values.epsilon === undefined ? undefined : parseEpsilon(values.epsilon);
  const categorical = new Set(values.categorical === undefined ? [] : list(values.categorical));
  const [reference, current] = await Promise.all([
    readDataFile(values.reference, categorical),
    readDataFile(values.current, categorical),
  ]);
  const features = compareTables(reference, current, {
    convention,
    ...(values.features !== undefined ? { features: list(values.features) } : {}),
    ...(tests !== undefined ? { tests } : {}),
    thresholds,
    ...(binning !== undefined ? { binning } : {}),
    ...(epsilon !== undefined ? { epsilon } : {}),
    warn: (message) => process.stderr.write(`driftwatch compare: ${message}\n`),
  });
  process.stdout.write(
    format === 'json' ? `${JSON.stringify({ features }, jsonNumbers, 2)}\n` : table(features),
  );
  return 0;
}

export interface CompareOptions {
  readonly convention: ConventionName;
  readonly features?: readonly string[];
  /** Tests to run, each under the run's convention unless it names its own. */
  readonly tests?: readonly TestSpec[];
  readonly thresholds?: ReadonlyMap<TestName, number>;
  /** Replaces the edge strategy of binned numeric tests (fitted on the reference, with under/overflow buckets). */
  readonly binning?: EdgeStrategy;
  /** Replaces the epsilon of a 'replace' zero rule (psi, kl). */
  readonly epsilon?: number;
  readonly warn?: (message: string) => void;
}

/** A convention with the user's binning and epsilon applied where the test uses them. */
function customize(conv: TestConvention, options: CompareOptions): TestConvention {
  let out = conv;
  if (options.binning !== undefined && out.input?.type === 'edges') {
    out = {
      ...out,
      note: `binning given on the command line (${JSON.stringify(options.binning)}); the convention's: ${out.note}`,
      input: {
        ...out.input,
        edges: options.binning,
        fitOn: 'reference',
        distinctValuesUpTo: null,
        outside: 'underflow/overflow buckets',
      },
    };
  }
  if (options.epsilon !== undefined && out.zeroRule !== null) {
    out = {
      ...out,
      zeroRule: { rule: 'replace', epsilon: options.epsilon },
      note: `epsilon ${options.epsilon} given on the command line; the convention's: ${out.note}`,
    };
  }
  return out;
}

/** Compares the chosen (or common) columns of two tables; the core of `driftwatch compare`. */
export function compareTables(
  reference: ColumnTable,
  current: ColumnTable,
  options: CompareOptions,
): CompareFeature[] {
  const names = options.features ?? reference.names.filter((n) => current.columns.has(n));
  if (names.length === 0) {
    throw new DriftwatchError(
      ErrorCodes.INPUT_FILE,
      `${reference.file} and ${current.file} have no column in common (reference: ${reference.names.join(', ') || 'none'}; current: ${current.names.join(', ') || 'none'})`,
      { reference: reference.file, current: current.file },
    );
  }
  const out: CompareFeature[] = [];
  for (const name of names) {
    const refColumn = reference.columns.get(name);
    const curColumn = current.columns.get(name);
    if (refColumn === undefined || curColumn === undefined) {
      const file = refColumn === undefined ? reference.file : current.file;
      throw new DriftwatchError(ErrorCodes.INPUT_FILE, `${file}: no column "${name}"`, {
        file,
        column: name,
      });
    }
    const kind = refColumn.kind === 'numeric' && curColumn.kind === 'numeric' ? 'numeric' : 'categorical';
    const ref = toFeature(refColumn, kind);
    const cur = toFeature(curColumn, kind);
    const referenceRows = ref.values.length - sideCounts(ref).missing;
    const chosen: readonly TestSpec[] =
      options.tests ??
      defaultTestsFor(options.convention, kind, referenceRows, uniqueCount(ref, cur)).map((test) => ({
        test,
      }));
    const results: CompareFeature['tests'] = [];
    for (const spec of chosen) {
      const test = spec.test;
      const convention = spec.convention ?? options.convention;
      const conv = customize(conventionFor(convention, test, kind), options);
      if (!conv.applies) {
        options.warn?.(`${name}: ${test} skipped for a ${kind} feature under ${convention} (${conv.note})`);
        continue;
      }
      const threshold = options.thresholds?.get(test);
      try {
        results.push(evaluateTest(conv, ref, cur, threshold === undefined ? {} : { threshold }));
      } catch (error) {
        if (!(error instanceof DriftwatchError)) throw error;
        results.push({
          test,
          statistic: null,
          pValue: null,
          threshold: threshold ?? null,
          drift: null,
          conventions: { convention },
          error: error.message,
        });
      }
    }
    out.push({ name, kind, tests: results });
  }
  return out;
}

function toFeature(column: DataColumn, kind: 'numeric' | 'categorical'): FeatureValues {
  if (column.kind === 'numeric') {
    if (kind === 'numeric') return numericFeature(column.values, column.valid);
    // The other file has text in this column: compare as categories, numbers as their shortest decimal form.
    return categoricalFeature(numericAsCategories(column));
  }
  return categoricalFeature(column.values);
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export interface TestSpec {
  readonly test: TestName;
  readonly convention?: ConventionName;
}

/** `psi` or `psi@evidently`. */
function testSpec(text: string): TestSpec {
  const [name, convention] = text.split('@', 2) as [string, string | undefined];
  if (convention === undefined) return { test: testName(name) };
  if (!(CONVENTION_NAMES as readonly string[]).includes(convention)) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `unknown convention "${convention}" in "${text}"; conventions: ${CONVENTION_NAMES.join(', ')}`,
    );
  }
  return { test: testName(name), convention: convention as ConventionName };
}

function testName(name: string): TestName {
  if (!(TEST_NAMES as readonly string[]).includes(name)) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `unknown test "${name}"; tests: ${TEST_NAMES.join(', ')}`,
    );
  }
  return name as TestName;
}

function parseThresholds(text: string | undefined): Map<TestName, number> {
  const out = new Map<TestName, number>();
  if (text === undefined) return out;
  for (const item of list(text)) {
    const [name, value] = item.split('=');
    const n = Number(value);
    if (name === undefined || value === undefined || !Number.isFinite(n)) {
      throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--threshold items are test=value, got "${item}"`);
    }
    out.set(testName(name.trim()), n);
  }
  return out;
}

/** JSON has no Infinity or NaN: print them as strings so no number is silently turned into null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return v.toExponential(4);
  return v.toPrecision(6).replace(/\.?0+$/, '');
}

function table(features: readonly CompareFeature[]): string {
  const rows: string[][] = [['feature', 'kind', 'test', 'statistic', 'p-value', 'threshold', 'drift']];
  for (const f of features) {
    for (const t of f.tests) {
      rows.push([
        f.name,
        f.kind,
        t.test,
        'error' in t ? `error: ${t.error}` : fmt(t.statistic),
        fmt(t.pValue),
        fmt(t.threshold),
        t.drift === null ? '-' : t.drift ? 'DRIFT' : 'ok',
      ]);
    }
    if (f.tests.length === 0) rows.push([f.name, f.kind, '(no applicable test)', '', '', '', '']);
  }
  return renderTable(rows);
}

function parseBinning(text: string): EdgeStrategy {
  const [kind, arg] = text.split(':', 2) as [string, string | undefined];
  const count = (what: string) => {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1) {
      throw new DriftwatchError(
        ErrorCodes.CLI_USAGE,
        `--binning ${what}:<n> needs a positive integer, got "${text}"`,
      );
    }
    return n;
  };
  switch (kind) {
    case 'quantile':
      return { kind: 'quantile', bins: arg === undefined ? 10 : count('quantile') };
    case 'equal-width':
      return { kind: 'equal-width', bins: arg === undefined ? 10 : count('equal-width') };
    case 'doane':
    case 'sturges':
      return { kind };
    case 'edges': {
      const edges = (arg ?? '').split(';').map(Number);
      if (edges.length === 0 || edges.some((e) => !Number.isFinite(e))) {
        throw new DriftwatchError(
          ErrorCodes.CLI_USAGE,
          `--binning edges:<e1>;<e2>;... needs numbers, got "${text}"`,
        );
      }
      return { kind: 'explicit', edges };
    }
    default:
      throw new DriftwatchError(
        ErrorCodes.CLI_USAGE,
        `--binning must be quantile:<n>, doane, sturges, equal-width:<n> or edges:<e1>;<e2>;..., got "${text}"`,
      );
  }
}

function parseEpsilon(text: string): number {
  const e = Number(text);
  if (!(e > 0 && e < 1))
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--epsilon must be in (0, 1), got ${text}`);
  return e;
}
