/**
 * Where the engine finds Kafka and the registry when no flag says otherwise: the local stack's defaults, following
 * the same environment variables as scripts/stack.sh so a moved port is picked up everywhere.
 */
export function defaultBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.DRIFTWATCH_BROKERS) return env.DRIFTWATCH_BROKERS.split(',').map((b) => b.trim());
  return [`127.0.0.1:${env.DRIFTWATCH_KAFKA_PORT ?? '9092'}`];
}

export function defaultRegistryUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRIFTWATCH_REGISTRY_URL) return env.DRIFTWATCH_REGISTRY_URL;
  return `http://127.0.0.1:${env.DRIFTWATCH_REGISTRY_PORT ?? '8081'}/apis/ccompat/v7`;
}
