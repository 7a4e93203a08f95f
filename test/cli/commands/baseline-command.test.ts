import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBaseline } from '../../../src/baseline/load-baseline.ts';
import { CreditRiskEventGenerator } from '../../../src/demo/credit-risk-events.ts';
import { BatchExtractor } from '../../../src/engine/batch-extractor.ts';
import { featureSpecs } from '../../../src/topology/feature-specs.ts';
import { loadTopologyFile } from '../../../src/topology/load-topology.ts';

const BIN = fileURLToPath(new URL('../../../bin/driftwatch.js', import.meta.url));
const TOPOLOGY = fileURLToPath(new URL('../../../topologies/credit-risk.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dw-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function driftwatch(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'baseline', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('driftwatch baseline build', { timeout: 60_000 }, () => {
  it('builds a baseline from a training CSV that the topology accepts, counting every row', async () => {
    const generator = new CreditRiskEventGenerator(99);
    const lines = ['amount,age,income,channel,country'];
    for (let i = 0; i < 3_000; i++) {
      const f = generator.next(i * 1000).features;
      lines.push([f.amount, f.age, f.income ?? '', f.channel, f.country].join(','));
    }
    const input = join(dir, 'training.csv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const output = join(dir, 'credit-risk.baseline.json');
    const r = driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', output);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/credit-risk@[0-9a-f]{12}, 3000 rows, 5 features/);
    const baseline = await loadBaseline(output);
    expect(baseline.source.rows).toBe(3_000);
    expect(baseline.source.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const feature of Object.values(baseline.features)) {
      expect(feature.counts.reduce((s, c) => s + c, 0)).toBe(3_000);
    }
    const income = baseline.features.income!;
    if (income.kind !== 'numeric') throw new Error('income should be numeric');
    // Empty CSV cells are missing values, counted in the missing bucket.
    expect(income.counts[0]).toBe(lines.filter((l) => l.split(',')[2] === '').length);
    const topology = await loadTopologyFile(TOPOLOGY);
    expect(featureSpecs(topology, baseline, new BatchExtractor(topology).layout).specs).toHaveLength(5);
    // The same input gives the same version.
    const again = join(dir, 'again.json');
    driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', again);
    expect((await loadBaseline(again)).version).toBe(baseline.version);
  });

  it('calibrates on chunks of the window size when the input has event times, or of --chunk-rows rows', async () => {
    const generator = new CreditRiskEventGenerator(7);
    const t0 = Date.UTC(2025, 0, 1);
    // 40 minutes of events, one every 2 s: 40 one-minute windows of 30 rows.
    const lines = ['event_time,amount,age,income,channel,country'];
    for (let i = 0; i < 1_200; i++) {
      const e = generator.next(t0 + i * 2_000);
      const f = e.features;
      const time = i % 2 === 0 ? new Date(e.event_time).toISOString() : String(e.event_time);
      lines.push([time, f.amount, f.age, f.income ?? '', f.channel, f.country].join(','));
    }
    const input = join(dir, 'timed.csv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const output = join(dir, 'timed.baseline.json');
    const r = driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', output);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('calibration: 40 chunks of 60000 ms of event time (0 small chunks left out)');
    const baseline = await loadBaseline(output);
    for (const feature of Object.values(baseline.features)) {
      expect(feature.calibration).toMatchObject({ chunkBy: 'time', chunkSize: 60_000, chunks: 40 });
      expect(feature.calibration!.rows).toEqual(Array(40).fill(30));
    }
    expect(Object.keys(baseline.features.amount!.calibration!.statistics)).toEqual([
      'psi',
      'ks',
      'wasserstein_norm',
    ]);
    expect(Object.keys(baseline.features.channel!.calibration!.statistics)).toEqual([
      'js',
      'chi2',
      'share_change',
    ]);

    const byRows = join(dir, 'rows.baseline.json');
    const rows = driftwatch(
      'build',
      '--topology',
      TOPOLOGY,
      '--input',
      input,
      '--output',
      byRows,
      '--chunk-rows',
      '100',
    );
    expect(rows.status).toBe(0);
    expect(rows.stdout).toContain('calibration: 12 chunks of 100 rows');
    expect((await loadBaseline(byRows)).features.age!.calibration).toMatchObject({
      chunkBy: 'rows',
      chunks: 12,
    });
  });

  it('builds a boolean feature as categories "true" and "false", and needs --chunk-rows for session windows', async () => {
    const topology = join(dir, 'flags.yaml');
    writeFileSync(
      topology,
      [
        'apiVersion: driftwatch/v1',
        'name: flags',
        'source:',
        '  topic: predictions.flags',
        '  eventTime: event_time',
        'baseline: flags.baseline.json',
        'window:',
        '  type: session',
        '  gap: 5m',
        'features:',
        '  - name: approved',
        '    field: prediction.approved',
        '    kind: boolean',
        '',
      ].join('\n'),
    );
    const input = join(dir, 'flags.csv');
    writeFileSync(
      input,
      `approved\n${Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 'False' : 'true')).join('\n')}\n`,
    );
    const noChunks = driftwatch('build', '--topology', topology, '--input', input);
    expect(noChunks.status).toBe(2);
    expect(noChunks.stderr).toContain(
      'uses session windows, which have no fixed size: give the calibration chunk size with --chunk-rows',
    );
    const r = driftwatch('build', '--topology', topology, '--input', input, '--chunk-rows', '10');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The default output is the topology's baseline path, relative to the topology file.
    const baseline = await loadBaseline(join(dir, 'flags.baseline.json'));
    expect(baseline.name).toBe('flags');
    expect(baseline.features.approved).toMatchObject({
      kind: 'categorical',
      categories: ['true', 'false'],
      counts: [30, 10, 0, 0],
      calibration: { chunkBy: 'rows', chunks: 4 },
    });

    const shown = spawnSync(
      process.execPath,
      [BIN, 'baseline', 'show', '--file', join(dir, 'flags.baseline.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`baseline ${baseline.version}`);
    expect(shown.stdout).toContain('40 rows');
    expect(shown.stdout).toMatch(
      /approved\s+categorical\s+2 categories\s+calibration over 4 rows chunks \(js, chi2, share_change\)/,
    );
  });

  it('warns when the reference is too short for two calibration chunks', () => {
    const input = join(dir, 'short.csv');
    writeFileSync(input, 'amount,age,income,channel,country\n1,30,100,web,DE\n2,40,200,web,FR\n');
    const r = driftwatch(
      'build',
      '--topology',
      TOPOLOGY,
      '--input',
      input,
      '--output',
      join(dir, 's.json'),
      '--chunk-rows',
      '2',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      'warning: no calibration for amount, age, income, channel, country: fewer than 2 reference chunks',
    );
  });

  it('rejects conflicting or incomplete sources', () => {
    const both = driftwatch('build', '--topology', TOPOLOGY, '--input', 'x.csv', '--from-topic');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--topology and one of --input or --from-topic are required');
    const range = driftwatch('build', '--topology', TOPOLOGY, '--input', 'x.csv', '--from', '2025-01-01');
    expect(range.status).toBe(2);
    expect(range.stderr).toContain('--from and --to apply to --from-topic');
    const time = driftwatch('build', '--topology', TOPOLOGY, '--from-topic', '--from', 'soon');
    expect(time.status).toBe(2);
    expect(time.stderr).toContain('--from must be an ISO 8601 time or epoch milliseconds, got "soon"');
    const unknown = driftwatch('rebuild');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown baseline command "rebuild"; use: baseline build, baseline show',
    );
  });

  it('names the file and the feature when a monitored column is missing', () => {
    const input = join(dir, 'partial.csv');
    writeFileSync(input, 'amount,age\n1,2\n');
    const r = driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', join(dir, 'x.json'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('partial.csv: no column for feature "income"');
  });
});
