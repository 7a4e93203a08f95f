import { hostname } from 'node:os';
import { type SubscribedEvent, subscribe } from '../../alerts/subscriber.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { createLogger } from '../../logging/logger.ts';
import { eventJson } from '../../sinks/event-json.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { integerOption, parseCommandArgs } from '../cli-args.ts';
import { defaultBrokers, defaultRegistryUrl } from '../connection-defaults.ts';
import { formatEvent } from '../event-format.ts';

export const ALERTS_HELP = `driftwatch alerts tail [options]

Prints driftwatch's alerts, incidents, retrain requests and rollback recommendations as they arrive, one line per
event: time, severity, monitor, model and version, what happened and its numbers. With --json, one JSON object per
line for a pipe: {kind, name, id, topic, partition, offset, key, timestamp, headers, record}, keys always in that
order; times are ISO-8601 strings, int64 values beyond 2^53 are strings, NaN and infinities are strings. Runs until
SIGINT or SIGTERM, or until --max events were printed.

Topics: those named with --topic, and the output topics (alerts, model alerts, rollback recommendations, incidents,
retrain requests) of the topologies named with --topology; with neither, the default topics driftwatch.alerts,
driftwatch.model-alerts, driftwatch.rollback-recommendations, driftwatch.incidents and driftwatch.retrain-requests.
Messages that do not decode are reported on stderr and skipped.

Options:
  --topic <topic>       a topic to read (repeatable)
  --topology <file>     read the output topics of this topology (repeatable)
  --from-beginning      read the topics from their start (with a new group; the default group is always new)
  --json                one JSON object per line
  --max <n>             stop after n events
  --brokers <list>      Kafka bootstrap brokers, comma-separated (env DRIFTWATCH_BROKERS; default 127.0.0.1:9092)
  --registry <url>      Confluent-compatible registry API (env DRIFTWATCH_REGISTRY_URL;
                        default http://127.0.0.1:8081/apis/ccompat/v7)
  --group <id>          consumer group id (default: a new group per run, driftwatch.tail.<host>.<pid>.<time>);
                        name one to resume where a previous tail of that group stopped
`;

/** The topics a tail reads when neither --topic nor --topology is given. */
export const DEFAULT_TAIL_TOPICS: readonly string[] = [
  'driftwatch.alerts',
  'driftwatch.model-alerts',
  'driftwatch.rollback-recommendations',
  'driftwatch.incidents',
  'driftwatch.retrain-requests',
];

export async function alertsCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'tail') {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      sub === undefined ? 'name a subcommand: tail' : `unknown subcommand "${sub}"; use tail`,
    );
  }
  const { values, positionals } = parseCommandArgs(rest, {
    topic: { type: 'string', multiple: true },
    topology: { type: 'string', multiple: true },
    'from-beginning': { type: 'boolean' },
    json: { type: 'boolean' },
    max: { type: 'string' },
    brokers: { type: 'string' },
    registry: { type: 'string' },
    group: { type: 'string' },
  });
  if (positionals.length > 0) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `unexpected argument "${positionals[0]}"; name topics with --topic and topologies with --topology`,
    );
  }
  const max = values.max === undefined ? Number.POSITIVE_INFINITY : integerOption('max', values.max, 1);
  const topologies = await Promise.all((values.topology ?? []).map((file) => loadTopologyFile(file)));
  const named = [...(values.topic ?? []), ...topologies.flatMap(tailTopicsOf)];
  const topics = named.length > 0 ? [...new Set(named)] : DEFAULT_TAIL_TOPICS;
  const json = values.json ?? false;
  const color = !json && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

  let printed = 0;
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error === undefined ? resolve() : reject(error));
  });
  const onSignal = () => finish();
  // A closed pipe (e.g. `| head`) ends the tail rather than crashing it.
  const onStdoutError = (error: NodeJS.ErrnoException) => finish(error.code === 'EPIPE' ? undefined : error);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  try {
    const subscription = await subscribe({
      brokers: values.brokers?.split(',').map((b) => b.trim()) ?? defaultBrokers(),
      registryUrl: values.registry ?? defaultRegistryUrl(),
      topics,
      groupId: values.group ?? `driftwatch.tail.${hostname()}.${process.pid}.${Date.now().toString(36)}`,
      fromBeginning: values['from-beginning'] ?? false,
      logger: createLogger(process.env.DRIFTWATCH_LOG_LEVEL === undefined ? 'error' : undefined),
      onEvent: (event: SubscribedEvent) => {
        if (printed >= max) return;
        printed++;
        process.stdout.write(`${json ? eventJson(event) : formatEvent(event, { color })}\n`);
        if (printed >= max) finish();
      },
      onUndecodable: (m) => {
        process.stderr.write(
          `driftwatch alerts tail: ${m.topic}/${m.partition}@${m.offset}: ${m.reason} [${m.code}]\n`,
        );
      },
      onError: (error) => finish(error),
    });
    try {
      await finished;
    } finally {
      await subscription.stop();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
  }
  return 0;
}

/** A topology's output topics of the kinds a tail prints. */
export function tailTopicsOf(topology: Topology): string[] {
  const topics = [topology.outputs.alertTopic];
  if (topology.model !== null)
    topics.push(topology.model.outputs.alertTopic, topology.model.outputs.rollbackTopic);
  topics.push(topology.alerting.incidentTopic, topology.alerting.retrain.topic);
  return topics;
}
