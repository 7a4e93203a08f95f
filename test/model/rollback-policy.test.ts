import { describe, expect, it } from 'vitest';
import type { FindingSeverity, ModelFinding, ModelWindowReport } from '../../src/model/model-results.ts';
import { RollbackPolicy } from '../../src/model/rollback-policy.ts';

const W = 60_000;

function finding(
  k: number,
  severity: FindingSeverity,
  version = 'v2',
  kind: ModelFinding['kind'] = 'shadow',
): ModelFinding {
  return {
    monitor: 'm',
    kind,
    severity,
    modelName: 'model',
    modelVersion: version,
    role: 'shadow',
    comparedVersion: 'v1',
    subject: version,
    segment: null,
    windowStart: k * W,
    windowEnd: (k + 1) * W,
    metric: 'agreement_rate',
    value: 0.5,
    reference: null,
    threshold: 0.9,
    warningLevel: 0.95,
    criticalLevel: 0.9,
    rows: 100,
    message: '',
    evidence: {},
  };
}

function report(k: number, judged: number, version = 'v2'): ModelWindowReport {
  return {
    monitor: 'm',
    kind: 'shadow',
    modelName: 'model',
    modelVersion: version,
    subject: version,
    windowStart: k * W,
    windowEnd: (k + 1) * W,
    figures: {},
    counts: { judged },
  };
}

describe('RollbackPolicy', () => {
  it('makes one recommendation per output and candidate, with the highest severity and every finding', () => {
    const policy = new RollbackPolicy({ rollbackOn: 'warning' });
    const findings = [finding(0, 'warning'), finding(1, 'critical'), finding(0, 'critical', 'v3')];
    const out = policy.evaluate([report(0, 1), report(1, 1)], findings);
    expect(
      out.map((r) => [r.candidateVersion, r.severity, r.findings.length, r.windowStart, r.windowEnd]),
    ).toEqual([
      ['v2', 'critical', 2, 0, 2 * W],
      ['v3', 'critical', 1, 0, W],
    ]);
  });

  it('ignores findings below rollbackOn and findings of other kinds', () => {
    const policy = new RollbackPolicy({ rollbackOn: 'critical' });
    expect(policy.evaluate([], [finding(0, 'warning'), finding(0, 'critical', 'v2', 'performance')])).toEqual(
      [],
    );
  });

  it('stays disarmed through unjudged windows and re-arms on a judged clean one', () => {
    const policy = new RollbackPolicy({ rollbackOn: 'critical' });
    expect(policy.evaluate([report(0, 1)], [finding(0, 'critical')])).toHaveLength(1);
    expect(policy.evaluate([report(1, 0)], [])).toEqual([]);
    expect(policy.evaluate([report(2, 1)], [finding(2, 'critical')])).toEqual([]);
    expect(policy.disarmed.has('v2')).toBe(true);
    expect(policy.evaluate([report(3, 1)], [])).toEqual([]);
    expect(policy.disarmed.has('v2')).toBe(false);
    expect(policy.evaluate([report(4, 1)], [finding(4, 'critical')])).toHaveLength(1);
  });

  it('takes the windows of one output in time order', () => {
    const policy = new RollbackPolicy({ rollbackOn: 'critical' });
    policy.evaluate([report(0, 1)], [finding(0, 'critical')]);
    // Recovered at window 1, bad again at window 2, in one output: one recommendation, disarmed after it.
    const out = policy.evaluate([report(1, 1), report(2, 1)], [finding(2, 'critical')]);
    expect(out).toHaveLength(1);
    expect(policy.disarmed.has('v2')).toBe(true);
    // Bad at window 3, recovered at window 4, in one output: one recommendation, armed after it.
    const policy2 = new RollbackPolicy({ rollbackOn: 'critical' });
    expect(policy2.evaluate([report(3, 1), report(4, 1)], [finding(3, 'critical')])).toHaveLength(1);
    expect(policy2.disarmed.has('v2')).toBe(false);
  });
});
