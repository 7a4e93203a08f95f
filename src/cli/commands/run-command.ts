import { DriftEngine } from '../../engine/drift-engine.ts';
import { ModelEngine } from '../../engine/model-engine.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { createLogger } from '../../logging/logger.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import { integerOption, parseCommandArgs } from '../cli-args.ts';
import { defaultBrokers, defaultRegistryUrl } from '../connection-defaults.ts';

export const RUN_HELP = `driftwatch run <topology.yaml> [...] [options]

Runs the drift engine for one or more topology files until SIGINT or SIGTERM. A topology with a model section
also runs its model-quality engine (labels, performance, skew, shadow, latency, errors, embeddings) in a second
consumer group, <group>.model.

Options:
  --brokers <list>    Kafka bootstrap brokers, comma-separated (env DRIFTWATCH_BROKERS; default 127.0.0.1:9092)
  --registry <url>    Confluent-compatible registry API (env DRIFTWATCH_REGISTRY_URL;
                      default http://127.0.0.1:8081/apis/ccompat/v7)
  --group <id>        consumer group id (default driftwatch.<topology name>; only with one topology)
  --threads <n>       drift worker threads per topology (default cores - 1)
`;

export async function runCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    brokers: { type: 'string' },
    registry: { type: 'string' },
    group: { type: 'string' },
    threads: { type: 'string' },
  });
  if (positionals.length === 0)
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, 'name at least one topology file');
  if (values.group !== undefined && positionals.length > 1) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, '--group applies to a single topology');
  }
  const logger = createLogger();
  const topologies = await Promise.all(positionals.map((file) => loadTopologyFile(file)));
  const brokers = values.brokers?.split(',').map((b) => b.trim()) ?? defaultBrokers();
  const registryUrl = values.registry ?? defaultRegistryUrl();
  const threads = values.threads === undefined ? undefined : integerOption('threads', values.threads, 1);
  const engines: (DriftEngine | ModelEngine)[] = [];
  for (const topology of topologies) {
    engines.push(
      await DriftEngine.start({
        topology,
        brokers,
        registryUrl,
        logger,
        ...(values.group !== undefined ? { groupId: values.group } : {}),
        ...(threads !== undefined ? { threads } : {}),
      }),
    );
    if (topology.model !== null) {
      engines.push(
        await ModelEngine.start({
          topology,
          brokers,
          registryUrl,
          logger,
          ...(values.group !== undefined ? { groupId: `${values.group}.model` } : {}),
        }),
      );
    }
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping');
    await Promise.allSettled(engines.map((e) => e.stop()));
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const results = await Promise.allSettled(engines.map((e) => e.done));
  await stop();
  return results.some((r) => r.status === 'rejected') ? 1 : 0;
}
