/**
 * Renders a first topology file for a stream from its Avro schema: the source, a tumbling window, one feature per
 * monitorable field (with its kind's default test), and comments saying what was inferred and what was left out, so
 * the person who adds the stream reviews a file rather than writing one from scratch.
 *
 * Only keys the topology format has are written, and every optional one only when it differs from its default, so
 * the file stays short and a change of default reaches scaffolded files too.
 */
import { stringify } from 'yaml';
import { type InferredFeature, inferFeatures, type SkippedField } from './schema-fields.ts';

export interface ScaffoldOptions {
  /** Monitor name (lowercase letters, digits and dashes). */
  readonly name: string;
  readonly topic: string;
  /** Registry subject of the value schema; written only when not `<topic>-value`. */
  readonly subject?: string;
  /** Event-time field; null scaffolds a monitor in processing time. */
  readonly eventTimeField: string | null;
  readonly modelNameField: string;
  readonly modelVersionField: string;
  readonly keyField?: string | null;
  /** Baseline file, relative to the topology file. */
  readonly baseline: string;
  /** `$schema` reference for editors (yaml-language-server), relative to the topology file. */
  readonly schemaRef: string;
  /** Where the Avro schema came from, for the header comment (a file name). */
  readonly schemaSource?: string;
}

export interface ScaffoldedTopology {
  readonly yaml: string;
  readonly features: readonly InferredFeature[];
  readonly skipped: readonly SkippedField[];
}

/** Defaults of the format the scaffold writes anyway, because they are the knobs a new stream is tuned with. */
const WINDOW = { size: '1m', grace: '0s', outOfOrderness: '5s', idleTimeout: '30s', quietClose: '5s' };
const OUTPUTS = { alerts: 'driftwatch.alerts', deadLetter: 'driftwatch.dead-letter' };

/** A monitor name derived from a topic name: `predictions.Credit_Risk` -> `predictions-credit-risk`. */
export function monitorNameFor(topic: string): string {
  const name = topic
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? 'monitor' : name;
}

/** Infers the features of `schema` (leaving out the fields the source uses) and renders the topology file. */
export function scaffoldTopology(schema: object, options: ScaffoldOptions): ScaffoldedTopology {
  const used: Record<string, string> = {};
  if (options.eventTimeField !== null) used[options.eventTimeField] = 'source.eventTime';
  used[options.modelNameField] = 'source.modelName';
  used[options.modelVersionField] = 'source.modelVersion';
  if (options.keyField) used[options.keyField] = 'source.key';
  const { features, skipped } = inferFeatures(schema, used);
  return { yaml: renderTopology(options, features, skipped), features, skipped };
}

export function renderTopology(
  options: ScaffoldOptions,
  features: readonly InferredFeature[],
  skipped: readonly SkippedField[],
): string {
  const lines: string[] = [];
  const comment = (text: string, indent = '') => lines.push(`${indent}# ${oneLine(text)}`);
  const entry = (key: string, value: string, indent = '', note?: string) =>
    lines.push(`${indent}${key}: ${scalar(value)}${note === undefined ? '' : `  # ${oneLine(note)}`}`);

  lines.push(`# yaml-language-server: $schema=${options.schemaRef}`);
  comment(
    `Drift monitor of topic ${options.topic}, scaffolded by \`driftwatch streams add\`${
      options.schemaSource === undefined ? '' : ` from ${options.schemaSource}`
    }.`,
  );
  comment('Review the features, then build the baseline from training data before running it:');
  comment(`  driftwatch baseline build --topology <this file> --input <training data>`);
  entry('apiVersion', 'driftwatch/v1');
  entry('name', options.name);

  lines.push('source:');
  entry('topic', options.topic, '  ');
  if (options.subject !== undefined && options.subject !== `${options.topic}-value`) {
    entry('subject', options.subject, '  ');
  }
  if (options.keyField) entry('key', options.keyField, '  ');
  if (options.eventTimeField === null) {
    entry(
      'timeSemantics',
      'processing',
      '  ',
      'no event time: windows use the time driftwatch reads each event',
    );
  } else {
    entry('eventTime', options.eventTimeField, '  ', 'epoch milliseconds');
  }
  entry('modelName', options.modelNameField, '  ');
  entry('modelVersion', options.modelVersionField, '  ');

  entry('baseline', options.baseline, '', 'relative to this file; written by `driftwatch baseline build`');

  lines.push('window:');
  entry('type', 'tumbling', '  ');
  entry('size', WINDOW.size, '  ', 'each window is tested against the baseline once it closes');
  entry('grace', WINDOW.grace, '  ', 'late events still accepted after a window ends, in event time');
  entry(
    'outOfOrderness',
    WINDOW.outOfOrderness,
    '  ',
    'how far behind the newest event a partition may arrive',
  );
  entry('idleTimeout', WINDOW.idleTimeout, '  ', 'a silent partition stops holding the watermark after this');
  entry('quietClose', WINDOW.quietClose, '  ', 'windows still close when the whole stream goes quiet');

  lines.push('features:');
  comment(
    "One per monitorable field of the schema, tested with its kind's default test and threshold (add `tests:` to change them).",
    '  ',
  );
  for (const feature of features) {
    lines.push(`  - name: ${scalar(feature.name)}`);
    entry('field', feature.field, '    ', feature.type);
    entry('kind', feature.kind, '    ');
  }
  if (skipped.length > 0) {
    comment('Not monitored:', '  ');
    for (const s of skipped) comment(`  ${s.field} (${s.type}): ${s.reason}`, '  ');
  }

  lines.push('outputs:');
  entry('alerts', OUTPUTS.alerts, '  ');
  entry('deadLetter', OUTPUTS.deadLetter, '  ', 'events that cannot be read, with the reason');
  return `${lines.join('\n')}\n`;
}

/** A YAML scalar, quoted only when plain text would be read as something else (`true`, `1.0`, `a: b`). */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Comments end at the line's end: a newline in a name would end the comment and start YAML. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
