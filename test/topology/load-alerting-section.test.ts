import { describe, expect, it } from 'vitest';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import { parseTopology } from '../../src/topology/load-topology.ts';
import type { TopologyIssue } from '../../src/topology/topology-types.ts';

const MINIMAL = [
  'apiVersion: driftwatch/v1',
  'name: credit-risk',
  'source:',
  '  topic: predictions.credit-risk',
  '  eventTime: event_time',
  'baseline: baselines/credit-risk.baseline.json',
  'window:',
  '  type: tumbling',
  '  size: 5m',
  'features:',
  '  - name: amount',
  '    field: features.amount',
  '    kind: numeric',
];

const parse = (...lines: string[]) =>
  parseTopology(`${[...MINIMAL, ...lines].join('\n')}\n`, 'topologies/t.yaml');

function issuesOf(...lines: string[]): string[] {
  try {
    parse(...lines);
  } catch (error) {
    if (!isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)) throw error;
    return (error.details.issues as TopologyIssue[]).map((i) => `${i.line}: ${i.path}: ${i.message}`);
  }
  throw new Error('expected the topology to be invalid');
}

describe('the alerting section', () => {
  it('defaults every field when the section is absent', () => {
    expect(parse().alerting).toEqual({
      openAfter: 1,
      resolveAfter: 2,
      cooldownMs: 0,
      incidentTopic: 'driftwatch.incidents',
      retrain: {
        topic: 'driftwatch.retrain-requests',
        minCriticalFeatures: 3,
        performanceDrop: 0.05,
        skewRate: 0.05,
        sustained: 2,
        cooldownMs: 86_400_000,
      },
    });
    expect(parse().alerting).toEqual(DEFAULT_ALERTING);
  });

  it('reads every field, durations and `off` triggers', () => {
    const alerting = parse(
      'alerting:',
      '  openAfter: 3',
      '  resolveAfter: 4',
      '  cooldown: 10m',
      '  incidents: ops.incidents',
      '  retrain:',
      '    topic: ml.retrain',
      '    minCriticalFeatures: off',
      '    performanceDrop: 0.1',
      '    skewRate: off',
      '    sustained: 5',
      '    cooldown: 2h',
    ).alerting;
    expect(alerting).toEqual({
      openAfter: 3,
      resolveAfter: 4,
      cooldownMs: 600_000,
      incidentTopic: 'ops.incidents',
      retrain: {
        topic: 'ml.retrain',
        minCriticalFeatures: null,
        performanceDrop: 0.1,
        skewRate: null,
        sustained: 5,
        cooldownMs: 7_200_000,
      },
    });
  });

  it('keeps the retrain defaults for keys a partial retrain mapping leaves out', () => {
    const { retrain } = parse('alerting:', '  retrain:', '    sustained: 1').alerting;
    expect(retrain).toEqual({ ...DEFAULT_ALERTING.retrain, sustained: 1 });
  });

  it('reports bad values with their line and path', () => {
    expect(
      issuesOf(
        'alerting:',
        '  openAfter: 0',
        '  resolveAfter: 1.5',
        '  cooldown: soon',
        '  retrain:',
        '    skewRate: 2',
        '    minCriticalFeatures: none',
        '    sustaned: 2',
      ),
    ).toEqual([
      '15: alerting.openAfter: must be an integer >= 1, got 0',
      '16: alerting.resolveAfter: must be an integer >= 1, got 1.5',
      expect.stringMatching(/^17: alerting\.cooldown: /),
      '19: alerting.retrain.skewRate: must be a rate in (0, 1], got 2',
      '20: alerting.retrain.minCriticalFeatures: must be a number or off, got "none"',
      expect.stringMatching(/^21: alerting\.retrain\.sustaned: unknown key "sustaned"; did you mean/),
    ]);
  });

  it('refuses the same topic for incidents and retrain requests', () => {
    expect(issuesOf('alerting:', '  incidents: same', '  retrain:', '    topic: same')).toEqual([
      '15: alerting.incidents: must differ from retrain.topic ("same")',
    ]);
  });
});
