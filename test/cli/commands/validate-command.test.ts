import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { validateCommand } from '../../../src/cli/commands/validate-command.ts';
import { captureOutput } from '../../support/capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'dw-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** The demo topology with its baseline path made absolute and `edit` applied, written to a temp file. */
function variant(name: string, edit: (text: string) => string): string {
  const text = readFileSync('topologies/credit-risk.yaml', 'utf8').replace(
    'baseline: baselines/credit-risk.baseline.json',
    `baseline: ${resolve('topologies/baselines/credit-risk.baseline.json')}`,
  );
  const file = join(dir, name);
  writeFileSync(file, edit(text));
  return file;
}

describe('driftwatch validate', () => {
  it('prints the monitor, the baseline version and every test with its resolved levels', async () => {
    const out = captureOutput();
    expect(await validateCommand(['topologies/credit-risk.yaml'])).toBe(0);
    const text = out();
    expect(text).toMatch(
      /credit-risk\.yaml: ok \(monitor credit-risk, 5 features, baseline credit-risk@[0-9a-f]{12}\)/,
    );
    expect(text).toMatch(/amount\s+psi\s+value >=\s+-\s+0\.2\s+fixed/);
    expect(text).toMatch(/age\s+ks\s+p <\s+-\s+0\.001\s+fixed/);
  });

  it('refuses calibrated levels the baseline has no reference chunks for, naming the feature', async () => {
    const file = variant('calibrated.yaml', (t) =>
      t.replace('    test: psi\n    threshold: 0.2', '    tests:\n      - test: psi\n        calibrate: std'),
    );
    captureOutput();
    await expect(validateCommand([file])).rejects.toThrow(/feature "amount" has calibrated psi levels/);
  });

  it('refuses a feature the baseline lacks', async () => {
    const file = variant('extra.yaml', (t) =>
      t.replace(
        'features:\n',
        'features:\n  - name: tenure\n    field: features.tenure\n    kind: numeric\n',
      ),
    );
    captureOutput();
    await expect(validateCommand([file])).rejects.toThrow(/has no feature "tenure"/);
  });

  it('prints the model section resolved: inputs, outputs and every judged quantity with its levels', async () => {
    const file = variant('model.yaml', (t) =>
      [
        t.trimEnd(),
        'model:',
        '  task: binary',
        '  predictionId: request_id',
        '  class: prediction.label',
        '  score: prediction.score',
        '  positiveClass: decline',
        '  role: role',
        '  labels: { topic: labels.credit-risk, label: label, labelTime: label_time, lookback: 2d }',
        '  performance: { metrics: [accuracy, roc_auc], reference: { accuracy: 0.91 } }',
        '  conceptDrift: [adwin, { detector: ddm, options: { warmStart: 50 } }]',
        '  skew:',
        '    topic: features.offline',
        '    key: customer_id',
        '    offlineKey: customer_id',
        '    offlineTime: computed_at',
        '    features: [amount, channel]',
        '    tolerance: { abs: 0.001, rel: 0 }',
        '  latency: { field: latency_ms, quantile: 0.99, warning: 150, critical: 400 }',
        '  errors: { field: error, segment: features.country }',
        '  embeddings:',
        '    - { name: query, dimension: 8, test: projection_ks }',
        '    - { name: doc, dimension: 8, test: centroid_cosine, threshold: { calibrate: std } }',
        '  outputs: { statistics: driftwatch.model-statistics }',
        '',
      ].join('\n'),
    );
    const out = captureOutput();
    expect(await validateCommand([file])).toBe(0);
    const text = out();
    expect(text).toContain('model: task binary, window 1m (grace 0s), prediction id request_id\n');
    expect(text).toContain(
      '  labels: topic labels.credit-risk (subject labels.credit-risk-value), lookback 2d, clock skew 0s\n',
    );
    expect(text).toContain(
      '  skew: topic features.offline (subject features.offline-value), key customer_id = customer_id, bucket 1ms\n',
    );
    expect(text).toContain('  shadow: role role, min pairs 100, rollback on critical\n');
    expect(text).toContain(
      '  outputs: alerts driftwatch.model-alerts, rollback driftwatch.rollback-recommendations, statistics driftwatch.model-statistics\n',
    );
    const rows = [
      /performance\s+accuracy\s+drop >=\s+0\.02\s+0\.05\s+reference 0\.91\n/,
      /performance\s+roc_auc\s+drop >=\s+0\.02\s+0\.05\s+baseline\n/,
      /concept drift\s+adwin\s+detector\s+-\s+-\s+defaults\n/,
      /concept drift\s+ddm\s+detector\s+-\s+-\s+warmStart=50\n/,
      /skew\s+amount\s+mismatch >=\s+0\.01\s+0\.05\s+abs 0\.001, rel 0\n/,
      /skew\s+channel\s+mismatch >=\s+0\.01\s+0\.05\s+exact\n/,
      /shadow\s+agreement\s+rate <\s+0\.95\s+0\.9\s+fixed\n/,
      /shadow\s+score distance\s+value >=\s+0\.1\s+0\.2\s+fixed\n/,
      /shadow\s+metric drop\s+drop >=\s+0\.02\s+0\.05\s+fixed\n/,
      /latency\s+p99 latency_ms\s+ms >=\s+150\s+400\s+fixed\n/,
      /errors\s+rate error\s+points >=\s+1\s+5\s+fixed\n/,
      /errors\s+spread by features\.country\s+points >=\s+1\s+3\s+fixed\n/,
      /embedding\s+query projection_ks \(16 projections\)\s+p <\s+0\.01\s+0\.001\s+fixed\n/,
      /embedding\s+doc centroid_cosine\s+value >=\s+2\s+3\s+calibrated std\n/,
    ];
    for (const row of rows) expect(text).toMatch(row);
  });

  it('prints nothing about a model for a topology without one', async () => {
    const out = captureOutput();
    expect(await validateCommand(['topologies/credit-risk.yaml'])).toBe(0);
    expect(out()).not.toContain('model:');
  });

  it('prints the incident and retrain rules and every sink', async () => {
    const file = variant('alerting.yaml', (t) =>
      [
        t.trimEnd(),
        'alerting:',
        '  openAfter: 2',
        '  resolveAfter: 3',
        '  cooldown: 30m',
        '  retrain: { minCriticalFeatures: 2, skewRate: off, sustained: 3, cooldown: 12h }',
        'sinks:',
        '  - { type: webhook, url: "https://hooks.example.com/dw", secretEnv: DW_HOOK_SECRET, events: [incident, retrain] }',
        '',
      ].join('\n'),
    );
    const out = captureOutput();
    expect(await validateCommand([file])).toBe(0);
    const text = out();
    expect(text).toContain(
      'alerting: incidents to driftwatch.incidents, open after 2, resolve after 3 clean, cooldown 30m\n',
    );
    expect(text).toContain(
      '  retrain: to driftwatch.retrain-requests, critical features >= 2, performance drop >= 0.05, skew rate off, sustained 3, cooldown 12h\n',
    );
    expect(text).toContain(
      '  sink: webhook https://hooks.example.com/dw (incident, retrain), secret from $DW_HOOK_SECRET, 5 retries\n',
    );
  });
});
