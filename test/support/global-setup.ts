import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultBrokers } from '../../src/cli/connection-defaults.ts';
import { createKafka, ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { silentLogger } from '../../src/logging/logger.ts';

/**
 * Integration tests run against the real Kafka broker and Schema Registry of scripts/stack.sh. If the stack is
 * already up (CI starts it, or a developer keeps it running), it is reused and left running; otherwise it is started
 * here and stopped after the run.
 *
 * A fresh broker creates __consumer_offsets and elects a group coordinator on the first group join, which can take
 * seconds; one throwaway group joins here first, so no test pays for it inside its own time budget.
 */
export default async function setup(): Promise<() => void> {
  const script = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
  const running = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  if (!running) execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  await warmUpGroupCoordinator();
  return () => {
    if (!running) execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  };
}

async function warmUpGroupCoordinator(): Promise<void> {
  const kafka = createKafka({
    brokers: defaultBrokers(),
    clientId: 'driftwatch-test-warmup',
    logger: silentLogger,
  });
  const topic = 'driftwatch.test-warmup';
  await ensureTopics(kafka, [{ topic }]);
  const consumer = kafka.consumer({ groupId: 'driftwatch.test-warmup', maxWaitTimeInMs: 100 });
  let joined!: () => void;
  const join = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      join,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no group coordinator after 90 s')), 90_000);
      }),
    ]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
}
