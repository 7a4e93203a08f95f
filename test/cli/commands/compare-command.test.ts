import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/driftwatch.js', import.meta.url));
const PEERS = fileURLToPath(new URL('../../fixtures/peers/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dw-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function driftwatch(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'compare', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** compare on the peers' main data set (the CSVs the Evidently and NannyML goldens were computed on). */
function comparePeers(...args: string[]) {
  return driftwatch(
    '--reference',
    join(PEERS, 'peers-main-reference.csv'),
    '--current',
    join(PEERS, 'peers-main-current.csv'),
    ...args,
  );
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('driftwatch compare', { timeout: 60_000 }, () => {
  it('prints the JSON shape with every test, its statistic, p-value, threshold, drift and conventions', () => {
    const r = comparePeers(
      '--features',
      'num_shift,cat_same',
      '--tests',
      'ks,psi,js,chi2',
      '--format',
      'json',
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      features: { name: string; kind: string; tests: Record<string, unknown>[] }[];
    };
    expect(out.features.map((f) => [f.name, f.kind])).toEqual([
      ['num_shift', 'numeric'],
      ['cat_same', 'categorical'],
    ]);
    const numeric = out.features[0]!.tests;
    expect(numeric.map((t) => t.test)).toEqual(['ks', 'psi', 'js', 'chi2']);
    for (const t of numeric) {
      expect(Object.keys(t).sort()).toEqual([
        'conventions',
        'drift',
        'pValue',
        'statistic',
        'test',
        'threshold',
      ]);
      expect(typeof t.statistic).toBe('number');
    }
    const ks = numeric[0]!;
    expect(ks.pValue).toBeLessThan(1e-10);
    expect(ks.drift).toBe(true);
    expect((ks.conventions as Record<string, string>).pValueMethod).toBe('exact');
    expect(numeric[1]!.pValue).toBeNull();
    expect(
      (numeric[1]!.conventions as Record<string, string>).epsilon ??
        (numeric[1]!.conventions as Record<string, string>).zeroRule,
    ).toContain('0.0001');
    // ks has no categorical form: skipped with a note on stderr, not an error.
    expect(out.features[1]!.tests.map((t) => t.test)).toEqual(['psi', 'js', 'chi2']);
    expect(r.stderr).toContain('cat_same: ks skipped');
  });

  it('reproduces Evidently with --convention evidently', () => {
    const r = comparePeers(
      '--features',
      'num_shift',
      '--tests',
      'psi',
      '--convention',
      'evidently',
      '--format',
      'json',
    );
    expect(r.status).toBe(0);
    const psi = (JSON.parse(r.stdout) as { features: { tests: { statistic: number }[] }[] }).features[0]!
      .tests[0]!;
    // Evidently 0.7.23 on the same files (test/fixtures/peers/golden-peers.json).
    expect(psi.statistic).toBeCloseTo(0.15656986522746735, 12);
  });

  it('runs one test under another convention with test@convention', () => {
    const r = comparePeers('--features', 'num_shift', '--tests', 'psi@evidently,psi', '--format', 'json');
    expect(r.status).toBe(0);
    const [evidently, ours] = (
      JSON.parse(r.stdout) as {
        features: { tests: { statistic: number; conventions: Record<string, string> }[] }[];
      }
    ).features[0]!.tests;
    expect(evidently!.conventions.convention).toBe('evidently');
    expect(evidently!.statistic).toBeCloseTo(0.15656986522746735, 12);
    expect(ours!.conventions.convention).toBe('driftwatch');
    expect(ours!.statistic).not.toBeCloseTo(evidently!.statistic, 3);
  });

  it('treats a column with any text as categorical, and --categorical forces it', () => {
    const ref = write('r.csv', 'zip,v\n10115,1\n75001,2\n10115,3\n');
    const cur = write('c.csv', 'zip,v\n10115,1\nunknown,2\n10115,2\n');
    const r = driftwatch('--reference', ref, '--current', cur, '--format', 'json', '--categorical', 'v');
    const out = JSON.parse(r.stdout) as { features: { name: string; kind: string }[] };
    expect(out.features.map((f) => f.kind)).toEqual(['categorical', 'categorical']);
  });

  it('prints a table by default', () => {
    const r = comparePeers('--features', 'num_shift');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^feature\s+kind\s+test\s+statistic\s+p-value\s+threshold\s+drift$/,
    );
    expect(r.stdout).toMatch(/num_shift\s+numeric\s+psi\s+[\d.]+\s+-\s+0\.2\s+(DRIFT|ok)/);
  });

  it('exits non-zero naming the file (and row) on bad input', () => {
    const good = join(PEERS, 'peers-main-reference.csv');
    const missing = driftwatch('--reference', join(dir, 'nope.csv'), '--current', good);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nope.csv: file not found');

    const other = write('other.csv', 'x\n1\n');
    const disjoint = driftwatch('--reference', other, '--current', good);
    expect(disjoint.status).toBe(1);
    expect(disjoint.stderr).toContain('no column in common');

    const broken = write('broken.csv', 'num_shift,cat\n1,a\n2\n');
    const row = driftwatch('--reference', good, '--current', broken);
    expect(row.status).toBe(1);
    expect(row.stderr).toContain('broken.csv: line 3');

    const usage = driftwatch('--reference', good);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--reference and --current are required');
  });

  it('fits the binning and epsilon given on the command line, and reports them', () => {
    const r = comparePeers(
      '--features',
      'num_shift',
      '--tests',
      'psi',
      '--binning',
      'equal-width:20',
      '--epsilon',
      '1e-6',
      '--format',
      'json',
    );
    expect(r.status).toBe(0);
    const psi = (JSON.parse(r.stdout) as { features: { tests: { conventions: Record<string, string> }[] }[] })
      .features[0]!.tests[0]!;
    expect(psi.conventions.binning).toBe('20 equal-width buckets fitted on reference');
    expect(psi.conventions.buckets).toBe('25');
    expect(psi.conventions.zeroRule).toContain('0.000001');
    expect(driftwatch('--reference', 'a.csv', '--current', 'b.csv', '--binning', 'weird').status).toBe(2);
  });
});
