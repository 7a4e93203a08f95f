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
    expect(featureSpecs(topology, baseline, new BatchExtractor(topology).layout)).toHaveLength(5);
    // The same input gives the same version.
    const again = join(dir, 'again.json');
    driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', again);
    expect((await loadBaseline(again)).version).toBe(baseline.version);
  });

  it('names the file and the feature when a monitored column is missing', () => {
    const input = join(dir, 'partial.csv');
    writeFileSync(input, 'amount,age\n1,2\n');
    const r = driftwatch('build', '--topology', TOPOLOGY, '--input', input, '--output', join(dir, 'x.json'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('partial.csv: no column for feature "income"');
  });
});
