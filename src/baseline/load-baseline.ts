import { readFile } from 'node:fs/promises';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import {
  BASELINE_FORMAT,
  type Baseline,
  CATEGORICAL_CALIBRATED_TESTS,
  NUMERIC_CALIBRATED_TESTS,
} from './baseline-types.ts';

/** Reads and checks a baseline file; every problem names the file. */
export async function loadBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${file}: cannot read baseline file`,
      { file },
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${file}: not valid JSON`,
      { file },
      { cause: error },
    );
  }
  return checkBaseline(value, file);
}

/**
 * Checks a parsed baseline (from a file or a topic); `file` names where it came from in every message. Optional
 * fields (summary, calibration) are checked when present.
 */
export function checkBaseline(value: unknown, file: string): Baseline {
  const fail = (message: string): never => {
    throw new DriftwatchError(ErrorCodes.BASELINE_INVALID, `${file}: ${message}`, { file });
  };
  if (typeof value !== 'object' || value === null) return fail('a baseline must be a JSON object');
  const b = value as Record<string, unknown>;
  if (b.format !== BASELINE_FORMAT)
    fail(`format must be "${BASELINE_FORMAT}", got ${JSON.stringify(b.format)}`);
  if (typeof b.version !== 'string' || b.version === '') fail('version must be a non-empty string');
  if (typeof b.features !== 'object' || b.features === null) fail('features must be an object');
  for (const [name, raw] of Object.entries(b.features as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) fail(`features.${name} must be an object`);
    const f = raw as Record<string, unknown>;
    const counts = f.counts;
    if (!Array.isArray(counts) || !counts.every((c) => typeof c === 'number' && c >= 0)) {
      fail(`features.${name}.counts must be an array of non-negative numbers`);
    }
    const c = counts as number[];
    if (f.kind === 'numeric') {
      const edges = f.edges;
      if (!Array.isArray(edges) || edges.length === 0 || !edges.every(Number.isFinite)) {
        fail(`features.${name}.edges must be a non-empty array of finite numbers`);
      }
      const e = edges as number[];
      for (let i = 1; i < e.length; i++)
        if (!(e[i]! > e[i - 1]!)) fail(`features.${name}.edges must increase`);
      if (c.length !== Math.max(1, e.length - 1) + 5) {
        fail(`features.${name}.counts has ${c.length} buckets, expected ${Math.max(1, e.length - 1) + 5}`);
      }
      if (f.summary !== undefined && typeof f.summary !== 'string') {
        fail(`features.${name}.summary must be a base64 string`);
      }
    } else if (f.kind === 'categorical') {
      const categories = f.categories;
      if (!Array.isArray(categories) || !categories.every((x) => typeof x === 'string')) {
        fail(`features.${name}.categories must be an array of strings`);
      }
      if (c.length !== (categories as string[]).length + 2) {
        fail(
          `features.${name}.counts has ${c.length} buckets, expected ${(categories as string[]).length + 2}`,
        );
      }
    } else {
      fail(`features.${name}.kind must be "numeric" or "categorical"`);
    }
    if (c.reduce((s, x) => s + x, 0) <= 0) fail(`features.${name} has no reference rows`);
    if (f.calibration !== undefined)
      checkCalibration(
        f.calibration,
        f.kind as 'numeric' | 'categorical',
        `features.${name}.calibration`,
        fail,
      );
  }
  return value as Baseline;
}

function checkCalibration(
  value: unknown,
  kind: 'numeric' | 'categorical',
  at: string,
  fail: (m: string) => never,
) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${at} must be an object`);
  const c = value as Record<string, unknown>;
  if (c.chunkBy !== 'time' && c.chunkBy !== 'rows') fail(`${at}.chunkBy must be "time" or "rows"`);
  if (typeof c.chunkSize !== 'number' || !(c.chunkSize > 0) || !Number.isFinite(c.chunkSize)) {
    fail(`${at}.chunkSize must be a positive number`);
  }
  const chunks = c.chunks;
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 2) {
    fail(`${at}.chunks must be an integer >= 2`);
  }
  const n = chunks as number;
  const isCount = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (!Array.isArray(c.rows) || c.rows.length !== n || !c.rows.every((x) => isCount(x) && x > 0)) {
    fail(`${at}.rows must be ${n} positive integers, one per chunk`);
  }
  if (!isCount(c.smallChunks)) fail(`${at}.smallChunks must be a non-negative integer`);
  if (c.sampledFrom !== undefined && !(isCount(c.sampledFrom) && (c.sampledFrom as number) > n)) {
    fail(`${at}.sampledFrom must be an integer greater than chunks (${n})`);
  }
  const tests: readonly string[] =
    kind === 'numeric' ? NUMERIC_CALIBRATED_TESTS : CATEGORICAL_CALIBRATED_TESTS;
  const series = (
    key: 'statistics' | 'pValues',
    allowed: readonly string[],
    inRange: (x: number) => boolean,
  ) => {
    const group = c[key];
    if (typeof group !== 'object' || group === null || Array.isArray(group))
      fail(`${at}.${key} must be an object`);
    for (const [test, list] of Object.entries(group as Record<string, unknown>)) {
      if (!allowed.includes(test)) {
        fail(`${at}.${key}.${test}: not a test of a ${kind} feature (expected one of ${allowed.join(', ')})`);
      }
      if (
        !Array.isArray(list) ||
        list.length !== n ||
        !list.every((x) => typeof x === 'number' && inRange(x))
      ) {
        fail(
          `${at}.${key}.${test} must be ${n} ${key === 'pValues' ? 'p-values in 0..1' : 'finite numbers'}`,
        );
      }
    }
  };
  series('statistics', tests, Number.isFinite);
  series(
    'pValues',
    tests.filter((t) => t === 'ks' || t === 'chi2'),
    (x) => x >= 0 && x <= 1,
  );
}
