import { readFile } from 'node:fs/promises';
import { EMBEDDING_MAX_DIMENSION, EmbeddingSummary } from '../core/embedding/embedding-summary.ts';
import {
  PERFORMANCE_METRIC_DIRECTIONS,
  type PerformanceMetricName,
} from '../core/performance/performance-drop.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import {
  BASELINE_FORMAT,
  type Baseline,
  CATEGORICAL_CALIBRATED_TESTS,
  EMBEDDING_CALIBRATED_TESTS,
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
 * fields (summary, calibration, performance, embeddings) are checked when present; an embedding's summary is decoded
 * and must agree with its dimension and count.
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
  if (b.performance !== undefined) checkPerformance(b.performance, fail);
  if (b.embeddings !== undefined) checkEmbeddings(b.embeddings, fail);
  return value as Baseline;
}

const REGRESSION_METRICS: readonly string[] = ['mae', 'rmse', 'mape'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPerformance(value: unknown, fail: (m: string) => never): void {
  if (!isObject(value)) fail('performance must be an object');
  const task = value.task;
  if (task !== 'binary' && task !== 'multiclass' && task !== 'regression') {
    fail(`performance.task must be "binary", "multiclass" or "regression", got ${JSON.stringify(task)}`);
  }
  const rows = value.rows;
  if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 1) {
    fail('performance.rows must be a positive integer');
  }
  if (!isObject(value.metrics)) fail('performance.metrics must be an object');
  for (const [metric, v] of Object.entries(value.metrics)) {
    if (!(metric in PERFORMANCE_METRIC_DIRECTIONS)) {
      fail(
        `performance.metrics.${metric}: not a metric (expected one of ${Object.keys(PERFORMANCE_METRIC_DIRECTIONS).join(', ')})`,
      );
    }
    if ((task === 'regression') !== REGRESSION_METRICS.includes(metric as PerformanceMetricName)) {
      fail(`performance.metrics.${metric} is not a metric of a ${task as string} model`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      fail(`performance.metrics.${metric} must be a finite non-negative number`);
    }
  }
}

function checkEmbeddings(value: unknown, fail: (m: string) => never): void {
  if (!isObject(value)) fail('embeddings must be an object');
  for (const [name, raw] of Object.entries(value)) {
    const at = `embeddings.${name}`;
    if (!isObject(raw)) fail(`${at} must be an object`);
    const { dimension, count, summary, bandwidth } = raw;
    if (
      typeof dimension !== 'number' ||
      !Number.isInteger(dimension) ||
      dimension < 1 ||
      dimension > EMBEDDING_MAX_DIMENSION
    ) {
      fail(`${at}.dimension must be an integer in 1..${EMBEDDING_MAX_DIMENSION}`);
    }
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      fail(`${at}.count must be a non-negative integer`);
    }
    if (typeof bandwidth !== 'number' || !Number.isFinite(bandwidth) || !(bandwidth > 0)) {
      fail(`${at}.bandwidth must be a positive finite number`);
    }
    // Buffer.from ignores characters outside the alphabet, so check the text before decoding it.
    if (typeof summary !== 'string' || summary.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(summary)) {
      fail(`${at}.summary must be a base64 string`);
    }
    let decoded: EmbeddingSummary;
    try {
      decoded = EmbeddingSummary.deserialize(Buffer.from(summary, 'base64'));
    } catch (error) {
      fail(`${at}.summary is not an embedding summary (${(error as Error).message})`);
    }
    if (decoded.dimension !== dimension) {
      fail(`${at}.summary has dimension ${decoded.dimension}, the embedding ${dimension as number}`);
    }
    if (decoded.count !== count)
      fail(`${at}.summary holds ${decoded.count} vectors, count says ${count as number}`);
    if (raw.calibration !== undefined) checkEmbeddingCalibration(raw.calibration, `${at}.calibration`, fail);
  }
}

function checkEmbeddingCalibration(value: unknown, at: string, fail: (m: string) => never): void {
  if (!isObject(value)) fail(`${at} must be an object`);
  const { chunkSize, chunks, statistics } = value;
  if (typeof chunkSize !== 'number' || !Number.isFinite(chunkSize) || !(chunkSize > 0)) {
    fail(`${at}.chunkSize must be a positive number`);
  }
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks < 2) {
    fail(`${at}.chunks must be an integer >= 2`);
  }
  if (!isObject(statistics)) fail(`${at}.statistics must be an object`);
  const allowed: readonly string[] = EMBEDDING_CALIBRATED_TESTS;
  for (const [test, list] of Object.entries(statistics)) {
    if (!allowed.includes(test)) {
      fail(`${at}.statistics.${test}: not an embedding test (expected one of ${allowed.join(', ')})`);
    }
    // mmd and projection_ks hold p-values; centroid_cosine a distance (in [0, 2] up to rounding).
    const max = test === 'centroid_cosine' ? Number.MAX_VALUE : 1;
    if (
      !Array.isArray(list) ||
      list.length !== chunks ||
      !list.every((x) => typeof x === 'number' && x >= 0 && x <= max)
    ) {
      const what = max === 1 ? 'p-values in 0..1' : 'finite non-negative numbers';
      fail(`${at}.statistics.${test} must be ${chunks as number} ${what}, one per chunk`);
    }
  }
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
