import path from 'node:path';
import { loadBaseline } from '../../baseline/load-baseline.ts';
import { BatchExtractor } from '../../engine/batch-extractor.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { featureSpecs } from '../../topology/feature-specs.ts';
import { resolvePlanLevels } from '../../topology/judge-measurements.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { LevelPair, ModelSpec } from '../../topology/model-spec.ts';
import { DURATION_UNITS_MS } from '../../topology/parse-duration.ts';
import type { ThresholdSpec, Topology } from '../../topology/topology-types.ts';
import { parseCommandArgs } from '../cli-args.ts';
import { renderTable } from '../text-table.ts';

export const VALIDATE_HELP = `driftwatch validate <topology.yaml> [...]

Checks topology files and the baselines they name, without connecting to Kafka: the format, every feature against
the baseline, and every test's levels (calibrated levels are computed from the baseline's reference chunks and
printed, so they can be reviewed), and the model section resolved with its defaults. Exits non-zero with every problem (file, line, column, field) on the first
invalid file.
`;

export async function validateCommand(args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  if (positionals.length === 0)
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, 'name at least one topology file');
  for (const file of positionals) {
    const topology = await loadTopologyFile(file);
    const baseline = await loadBaseline(topology.baseline.path);
    const { plans } = featureSpecs(topology, baseline, new BatchExtractor(topology).layout);
    const levels = resolvePlanLevels(plans);
    process.stdout.write(
      `${file}: ok (monitor ${topology.name}, ${topology.features.length} features, baseline ${baseline.version})\n`,
    );
    const rows = [['feature', 'test', 'rule', 'warning', 'critical', 'levels']];
    plans.forEach((plan, i) => {
      const l = levels[i]!;
      const rule = l.rule === 'value-above' ? 'value >=' : 'p <';
      rows.push([plan.feature, plan.test, rule, level(l.warning), level(l.critical), l.source]);
    });
    process.stdout.write(renderTable(rows));
    if (topology.model) process.stdout.write(describeModel(topology.model));
    process.stdout.write(describeAlerting(topology));
  }
  return 0;
}

/** Incidents, retrain triggers and sinks as the engines will apply them. */
export function describeAlerting(topology: Topology): string {
  const { alerting, sinks } = topology;
  const { retrain } = alerting;
  const trigger = (name: string, value: number | null) =>
    value === null ? `${name} off` : `${name} >= ${value}`;
  const lines = [
    `alerting: incidents to ${alerting.incidentTopic}, open after ${alerting.openAfter}, resolve after ${alerting.resolveAfter} clean, cooldown ${duration(alerting.cooldownMs)}`,
    `  retrain: to ${retrain.topic}, ${trigger('critical features', retrain.minCriticalFeatures)}, ${trigger('performance drop', retrain.performanceDrop)}, ${trigger('skew rate', retrain.skewRate)}, sustained ${retrain.sustained}, cooldown ${duration(retrain.cooldownMs)}`,
    ...sinks.map(
      (sink) =>
        `  sink: ${sink.type} ${sink.url} (${sink.events.join(', ')}), secret ${sink.secretEnv !== null ? `from $${sink.secretEnv}` : 'inline'}, ${sink.maxRetries} retries`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

const level = (x: number | null): string => (x === null ? '-' : String(Number(x.toPrecision(4))));

const UNITS_LARGEST_FIRST = Object.entries(DURATION_UNITS_MS).sort((a, b) => b[1] - a[1]);

/** Milliseconds in the largest unit that divides them (the topology file's duration units). */
function duration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of UNITS_LARGEST_FIRST) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function thresholdRow(thresholds: ThresholdSpec, pBelow: boolean): string[] {
  if (thresholds.kind === 'calibrated') {
    return [
      'value >=',
      level(thresholds.warning),
      level(thresholds.critical),
      `calibrated ${thresholds.method}`,
    ];
  }
  return [pBelow ? 'p <' : 'value >=', level(thresholds.warning), level(thresholds.critical), 'fixed'];
}

const pair = (rule: string, levels: LevelPair): string[] => [
  rule,
  level(levels.warning),
  level(levels.critical),
];

/**
 * The model section as the engine will run it: its window, inputs and outputs, then one row per judged quantity with
 * its rule and levels, in the layout of the feature table above.
 */
export function describeModel(model: ModelSpec): string {
  const { labels, skew, fields, outputs } = model;
  const lines = [
    `model: task ${model.task}, window ${duration(model.windowMs)} (grace ${duration(model.graceMs)}), prediction id ${fields.predictionIdField}`,
    labels
      ? `  labels: topic ${labels.topic} (subject ${labels.subject}), lookback ${duration(labels.lookbackMs)}, clock skew ${duration(labels.clockSkewMs)}`
      : '  labels: none (performance and concept drift are not judged)',
    skew
      ? `  skew: topic ${skew.topic} (subject ${skew.subject}), key ${skew.onlineKeyField} = ${skew.offlineKeyField}, bucket ${duration(skew.bucketMs)}`
      : '  skew: none',
    fields.roleField
      ? `  shadow: role ${fields.roleField}, min pairs ${model.shadow.minPairs}, rollback on ${model.shadow.rollbackOn}`
      : '  shadow: none (no role field)',
    model.newVersions
      ? `  new versions: first ${model.newVersions.windows} windows against ${Object.entries(
          model.newVersions.baselines,
        )
          .map(([version, file]) => `${version} (${path.basename(file)})`)
          .join(', ')}`
      : '  new versions: none',
    `  outputs: alerts ${outputs.alertTopic}, rollback ${outputs.rollbackTopic}, statistics ${outputs.statisticsTopic ?? '-'}`,
  ];
  const rows = [['monitor', 'measure', 'rule', 'warning', 'critical', 'levels']];
  if (labels) {
    const { performance } = model;
    for (const metric of performance.metrics) {
      const reference = performance.reference[metric];
      rows.push([
        'performance',
        metric,
        'drop >=',
        level(performance.warning),
        level(performance.critical),
        reference === undefined ? 'baseline' : `reference ${level(reference)}`,
      ]);
    }
    for (const { detector, options } of model.conceptDrift) {
      const written = Object.entries(options).map(([key, value]) => `${key}=${value}`);
      rows.push(['concept drift', detector, 'detector', '-', '-', written.join(' ') || 'defaults']);
    }
  }
  for (const feature of skew?.features ?? []) {
    const tolerance =
      feature.kind === 'numeric' ? `abs ${skew!.absTolerance}, rel ${skew!.relTolerance}` : 'exact';
    rows.push(['skew', feature.name, ...pair('mismatch >=', skew!.mismatchRate), tolerance]);
  }
  if (fields.roleField) {
    const { shadow } = model;
    rows.push(['shadow', 'agreement', ...pair('rate <', shadow.agreement), 'fixed']);
    rows.push(['shadow', 'score distance', ...pair('value >=', shadow.scoreDistance), 'fixed']);
    rows.push(['shadow', 'metric drop', ...pair('drop >=', shadow.metricDrop), 'fixed']);
  }
  if (model.latency) {
    const { latency } = model;
    const measure = `p${Number((latency.quantile * 100).toPrecision(4))} ${latency.field}`;
    rows.push(['latency', measure, 'ms >=', level(latency.warningMs), level(latency.criticalMs), 'fixed']);
  }
  if (model.errors) {
    const { errors } = model;
    rows.push(['errors', `rate ${errors.field}`, ...pair('points >=', errors.ratePoints), 'fixed']);
    if (errors.segmentField) {
      rows.push([
        'errors',
        `spread by ${errors.segmentField}`,
        ...pair('points >=', errors.spreadPoints),
        'fixed',
      ]);
    }
  }
  for (const e of model.embeddings) {
    const measure = `${e.name} ${e.test}${e.test === 'projection_ks' ? ` (${e.projections} projections)` : ''}`;
    rows.push(['embedding', measure, ...thresholdRow(e.thresholds, e.test !== 'centroid_cosine')]);
  }
  return `${lines.join('\n')}\n${rows.length > 1 ? renderTable(rows) : ''}`;
}
