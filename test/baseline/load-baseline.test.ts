import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BASELINE_FORMAT } from '../../src/baseline/baseline-types.ts';
import { checkBaseline, loadBaseline } from '../../src/baseline/load-baseline.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';

const COMMITTED = fileURLToPath(
  new URL('../../topologies/baselines/credit-risk.baseline.json', import.meta.url),
);
const dir = mkdtempSync(path.join(tmpdir(), 'driftwatch-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const GOOD = {
  format: BASELINE_FORMAT,
  name: 'x',
  version: 'x@000000000000',
  createdAt: '2026-01-01T00:00:00.000Z',
  source: { description: 'test', fingerprint: 'sha256:0', rows: 4 },
  features: {
    amount: {
      kind: 'numeric',
      binning: 'quantile',
      maxBins: 2,
      edges: [0, 1, 2],
      counts: [0, 0, 0, 2, 2, 0, 0],
    },
    channel: { kind: 'categorical', categories: ['web', 'mobile'], counts: [3, 1, 0, 0] },
  },
};

async function loadError(file: string): Promise<DriftwatchError> {
  try {
    await loadBaseline(file);
  } catch (error) {
    expect(error).toBeInstanceOf(DriftwatchError);
    return error as DriftwatchError;
  }
  throw new Error(`expected ${file} to be rejected`);
}

function checkError(value: unknown): DriftwatchError {
  try {
    checkBaseline(value, '/some/where/bad.baseline.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DriftwatchError);
    return error as DriftwatchError;
  }
  throw new Error('expected the baseline to be rejected');
}

/** GOOD with `features.<name>` replaced by `feature`. */
const withFeature = (name: string, feature: unknown) => ({
  ...GOOD,
  features: { ...GOOD.features, [name]: feature },
});

describe('loadBaseline', () => {
  it('loads the committed demo baseline', async () => {
    const baseline = await loadBaseline(COMMITTED);
    expect(baseline.format).toBe(BASELINE_FORMAT);
    expect(baseline.name).toBe('credit-risk');
    expect(baseline.version).toMatch(/^credit-risk@[0-9a-f]{12}$/);
    expect(Object.keys(baseline.features).sort()).toEqual(['age', 'amount', 'channel', 'country', 'income']);
    expect(baseline.source.rows).toBe(50_000);
  });

  it('loads a minimal valid file', async () => {
    const baseline = await loadBaseline(write('good.json', JSON.stringify(GOOD)));
    expect(baseline).toEqual(GOOD);
  });

  it('names the file when it cannot be read', async () => {
    const file = path.join(dir, 'missing.json');
    const e = await loadError(file);
    expect(e.code).toBe(ErrorCodes.BASELINE_INVALID);
    expect(e.message).toBe(`${file}: cannot read baseline file`);
    expect(e.details.file).toBe(file);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('names the file when it is not JSON', async () => {
    const file = write('broken.json', '{"format": ');
    const e = await loadError(file);
    expect(e.code).toBe('DW_BASELINE_INVALID');
    expect(e.message).toBe(`${file}: not valid JSON`);
  });

  it('names the file when the content is wrong', async () => {
    const file = write('wrong.json', JSON.stringify({ ...GOOD, format: 'other/2' }));
    const e = await loadError(file);
    expect(e.code).toBe('DW_BASELINE_INVALID');
    expect(e.message).toBe(`${file}: format must be "driftwatch-baseline/1", got "other/2"`);
    expect(e.details.file).toBe(file);
  });
});

const CALIBRATION = {
  chunkBy: 'rows',
  chunkSize: 2,
  chunks: 2,
  rows: [2, 2],
  smallChunks: 0,
  statistics: { psi: [0.1, 0.2], ks: [0.3, 0.4], wasserstein_norm: [0.01, 0.02] },
  pValues: { ks: [0.5, 0.6] },
};
const CATEGORICAL_CALIBRATION = {
  ...CALIBRATION,
  statistics: { js: [0.1, 0.2], chi2: [1.5, 2] },
  pValues: { chi2: [0.2, 0.1] },
};
/** GOOD with a calibration on amount (changed by `change`). */
const calibrated = (change: Record<string, unknown>) =>
  withFeature('amount', { ...GOOD.features.amount, calibration: { ...CALIBRATION, ...change } });

describe('checkBaseline', () => {
  const cases: [string, unknown, string][] = [
    ['an array', [1, 2], 'format must be'],
    ['null', null, 'a baseline must be a JSON object'],
    ['a string', 'baseline', 'a baseline must be a JSON object'],
    ['no version', { ...GOOD, version: '' }, 'version must be a non-empty string'],
    ['no features', { ...GOOD, features: null }, 'features must be an object'],
    [
      'negative counts',
      withFeature('amount', { ...GOOD.features.amount, counts: [0, 0, 0, -1, 2, 0, 0] }),
      'features.amount.counts must be an array of non-negative numbers',
    ],
    [
      'counts not an array',
      withFeature('channel', { ...GOOD.features.channel, counts: '3,1,0,0' }),
      'features.channel.counts must be an array of non-negative numbers',
    ],
    [
      'empty edges',
      withFeature('amount', { ...GOOD.features.amount, edges: [] }),
      'features.amount.edges must be a non-empty array of finite numbers',
    ],
    [
      'non-finite edges',
      withFeature('amount', { ...GOOD.features.amount, edges: [0, null, 2] }),
      'features.amount.edges must be a non-empty array of finite numbers',
    ],
    [
      'edges not increasing',
      withFeature('amount', { ...GOOD.features.amount, edges: [0, 1, 1] }),
      'features.amount.edges must increase',
    ],
    [
      'numeric counts of the wrong length',
      withFeature('amount', { ...GOOD.features.amount, counts: [0, 0, 0, 2, 2, 0] }),
      'features.amount.counts has 6 buckets, expected 7',
    ],
    [
      'categorical counts of the wrong length',
      withFeature('channel', { ...GOOD.features.channel, counts: [3, 1, 0] }),
      'features.channel.counts has 3 buckets, expected 4',
    ],
    [
      'categories not strings',
      withFeature('channel', { ...GOOD.features.channel, categories: ['web', 2] }),
      'features.channel.categories must be an array of strings',
    ],
    [
      'unknown kind',
      withFeature('channel', { ...GOOD.features.channel, kind: 'text' }),
      'features.channel.kind must be "numeric" or "categorical"',
    ],
    [
      'no reference rows',
      withFeature('channel', { ...GOOD.features.channel, counts: [0, 0, 0, 0] }),
      'features.channel has no reference rows',
    ],
    ['a feature that is not an object', withFeature('channel', null), 'features.channel must be an object'],
    [
      'a summary that is not a string',
      withFeature('amount', { ...GOOD.features.amount, summary: 5 }),
      'features.amount.summary must be a base64 string',
    ],
    [
      'a calibration that is not an object',
      withFeature('amount', { ...GOOD.features.amount, calibration: [] }),
      'features.amount.calibration must be an object',
    ],
    [
      'an unknown chunkBy',
      calibrated({ chunkBy: 'days' }),
      'features.amount.calibration.chunkBy must be "time" or "rows"',
    ],
    [
      'a zero chunkSize',
      calibrated({ chunkSize: 0 }),
      'features.amount.calibration.chunkSize must be a positive number',
    ],
    [
      'a single chunk',
      calibrated({ chunks: 1 }),
      'features.amount.calibration.chunks must be an integer >= 2',
    ],
    [
      'rows of the wrong length',
      calibrated({ rows: [2] }),
      'features.amount.calibration.rows must be 2 positive integers, one per chunk',
    ],
    [
      'a negative smallChunks',
      calibrated({ smallChunks: -1 }),
      'features.amount.calibration.smallChunks must be a non-negative integer',
    ],
    [
      'a sampledFrom not above chunks',
      calibrated({ sampledFrom: 2 }),
      'features.amount.calibration.sampledFrom must be an integer greater than chunks (2)',
    ],
    [
      'a statistic of the wrong length',
      calibrated({ statistics: { psi: [0.1] } }),
      'features.amount.calibration.statistics.psi must be 2 finite numbers',
    ],
    [
      'a non-finite statistic',
      calibrated({ statistics: { psi: [0.1, null] } }),
      'features.amount.calibration.statistics.psi must be 2 finite numbers',
    ],
    [
      'a test of the other kind',
      calibrated({ statistics: { js: [0.1, 0.2] } }),
      'features.amount.calibration.statistics.js: not a test of a numeric feature (expected one of psi, ks, wasserstein_norm)',
    ],
    [
      'a p-value above 1',
      calibrated({ pValues: { ks: [0.5, 1.5] } }),
      'features.amount.calibration.pValues.ks must be 2 p-values in 0..1',
    ],
    [
      'a p-value for a test without one',
      calibrated({ pValues: { psi: [0.5, 0.5] } }),
      'features.amount.calibration.pValues.psi: not a test of a numeric feature (expected one of ks)',
    ],
    [
      'no statistics object',
      calibrated({ statistics: undefined }),
      'features.amount.calibration.statistics must be an object',
    ],
  ];

  for (const [name, value, message] of cases) {
    it(`rejects ${name} with DW_BASELINE_INVALID naming the file`, () => {
      const e = checkError(value);
      expect(e.code).toBe(ErrorCodes.BASELINE_INVALID);
      expect(e.message.startsWith('/some/where/bad.baseline.json: ')).toBe(true);
      expect(e.message).toContain(message);
      expect(e.details.file).toBe('/some/where/bad.baseline.json');
    });
  }

  it('accepts calibrations of numeric and categorical features', () => {
    const value = {
      ...GOOD,
      features: {
        amount: { ...GOOD.features.amount, calibration: { ...CALIBRATION, sampledFrom: 7 } },
        channel: { ...GOOD.features.channel, calibration: CATEGORICAL_CALIBRATION },
      },
    };
    expect(checkBaseline(value, 'f.json')).toBe(value);
  });

  it('rejects a categorical calibration with a numeric test', () => {
    const value = withFeature('channel', { ...GOOD.features.channel, calibration: CALIBRATION });
    expect(checkError(value).message).toContain(
      'features.channel.calibration.statistics.psi: not a test of a categorical feature (expected one of js, chi2, share_change)',
    );
  });

  it('accepts a single-edge numeric feature (one point bucket)', () => {
    const value = withFeature('amount', { ...GOOD.features.amount, edges: [5], counts: [0, 0, 0, 4, 0, 0] });
    expect(checkBaseline(value, 'f.json')).toBe(value);
  });
});
