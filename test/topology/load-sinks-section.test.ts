import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../src/topology/load-topology.ts';
import type { SinkSpec } from '../../src/topology/sinks-spec.ts';
import { topologyIssues } from './topology-issues.ts';

const FILE = 'topologies/test.yaml';

/** A topology without sinks; the `sinks:` line appended to it is line 13. */
const BASE = [
  'apiVersion: driftwatch/v1',
  'name: credit-risk',
  'source:',
  '  topic: predictions.credit-risk',
  '  eventTime: event_time',
  'baseline: baselines/credit-risk.baseline.json',
  'window:',
  '  type: tumbling',
  '  size: 10m',
  'features:',
  '  - name: amount',
];

const withSinks = (lines: readonly string[]): string =>
  `${[...BASE, '    kind: numeric', 'sinks:', ...lines].join('\n')}\n`;

const sinksOf = (lines: readonly string[]): readonly SinkSpec[] =>
  parseTopology(withSinks(lines), FILE).sinks;

const issuesOf = (text: string): string[] => topologyIssues(text, FILE);

describe('the sinks section', () => {
  it('is empty when the file has none', () => {
    expect(parseTopology(`${[...BASE, '    kind: numeric'].join('\n')}\n`, FILE).sinks).toEqual([]);
  });

  it('reads a webhook with every field given', () => {
    expect(
      sinksOf([
        '  - type: webhook',
        '    url: https://hooks.example.com/driftwatch?team=ml',
        '    secretEnv: DW_HOOK_SECRET',
        '    events: [incident, retrain]',
        '    maxRetries: 2',
        '    timeout: 1500ms',
      ]),
    ).toEqual([
      {
        type: 'webhook',
        url: 'https://hooks.example.com/driftwatch?team=ml',
        secret: null,
        secretEnv: 'DW_HOOK_SECRET',
        events: ['incident', 'retrain'],
        maxRetries: 2,
        timeoutMs: 1500,
      },
    ]);
  });

  it('fills the defaults: every kind, 5 retries, a 10 s timeout; a secret may be written inline', () => {
    expect(
      sinksOf(['  - type: webhook', '    url: http://127.0.0.1:9000/hook', '    secret: s3cret']),
    ).toEqual([
      {
        type: 'webhook',
        url: 'http://127.0.0.1:9000/hook',
        secret: 's3cret',
        secretEnv: null,
        events: ['drift-alert', 'model-alert', 'rollback', 'incident', 'retrain'],
        maxRetries: 5,
        timeoutMs: 10_000,
      },
    ]);
  });

  it('reports every problem of every entry with its line and column', () => {
    expect(
      issuesOf(
        withSinks([
          '  - type: webhook', // line 14
          '    url: ftp://example.com/x',
          '    secretEnv: 1BAD',
          '    events: [incident, alerts, incident]',
          '    maxRetries: 21',
          '    timeout: 0s',
          '  - type: webhok', // line 20
          '  - type: webhook', // line 21
          '    url: https://example.com',
          '    secret: a',
          '    secretEnv: B',
          '  - type: webhook', // line 25
          '    url: https://example.com',
          '    retries: 3',
        ]),
      ),
    ).toEqual([
      '15:10 sinks[0].url: must be an http or https URL, got ftp',
      '16:16 sinks[0].secretEnv: "1BAD" is not an environment variable name: letters, digits and _, not starting with a digit (pattern ^[A-Za-z_][A-Za-z0-9_]*$)',
      '17:24 sinks[0].events[1]: must be one of "drift-alert", "model-alert", "rollback", "incident", "retrain", got "alerts"',
      '17:32 sinks[0].events[2]: duplicate event "incident" (first used at sinks[0].events[0], line 17)',
      '18:17 sinks[0].maxRetries: must be an integer in 0..20, got 21',
      '19:14 sinks[0].timeout: must be greater than 0, got "0s"',
      '20:11 sinks[1].type: must be one of "webhook", got "webhok"; did you mean "webhook"?',
      '23:13 sinks[2].secret: use either secret or secretEnv, not both (prefer secretEnv)',
      '25:5 sinks[3].secretEnv: required: name the environment variable that holds the signing secret (or give secret)',
      '27:5 sinks[3].retries: unknown key "retries"; expected one of: type, url, secret, secretEnv, events, maxRetries, timeout',
    ]);
  });

  it('refuses a sinks section that is not a list, and an entry without url', () => {
    expect(issuesOf(withSinks(['  type: webhook']))).toEqual(['14:3 sinks: must be a list, got a mapping']);
    expect(issuesOf(withSinks(['  - type: webhook', '    secretEnv: S']))).toEqual([
      '14:5 sinks[0].url: required field is missing',
    ]);
  });
});
