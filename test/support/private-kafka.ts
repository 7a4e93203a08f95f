import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/kafka-connection.ts';
import { silentLogger } from '../../src/logging/logger.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
const REPO_STACK = fileURLToPath(new URL('../../.stack', import.meta.url));

/**
 * A Kafka broker of this test's own (scripts/stack.sh kafka-start/kafka-stop with its own ports and state directory),
 * for tests that stop and restart a broker: the shared stack's broker serves other test files at the same time and
 * is never touched here. The jars come from the shared stack's cache, so nothing is fetched again.
 */
export class PrivateKafka {
  readonly dir: string;
  readonly port: number;
  readonly controllerPort: number;

  private constructor(dir: string, port: number, controllerPort: number) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  static async create(): Promise<PrivateKafka> {
    const [port, controllerPort] = await freePorts(2);
    return new PrivateKafka(mkdtempSync(join(tmpdir(), 'dw-private-kafka-')), port!, controllerPort!);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  client(): Kafka {
    return createKafka({ brokers: this.brokers, clientId: 'driftwatch-test', logger: silentLogger });
  }

  /**
   * Every message value in `topic`, read from the beginning up to the end offsets at the call (so duplicates show as
   * extra messages), with a throwaway consumer group.
   */
  async readAll(topic: string, timeoutMs = 60_000): Promise<(Buffer | null)[]> {
    const kafka = this.client();
    const admin = kafka.admin();
    await admin.connect();
    let total: number;
    try {
      total = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
    const values: (Buffer | null)[] = [];
    if (total === 0) return values;
    const consumer = kafka.consumer({
      groupId: `it-reader.${Date.now().toString(36)}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          values.push(message.value);
          if (values.length >= total) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
    }
    if (values.length < total)
      throw new Error(`read ${values.length} of ${total} messages of ${topic} in ${timeoutMs} ms`);
    return values;
  }

  /** Starts the broker, on the data of its last run when there is one; resolves once it serves. */
  async start(): Promise<void> {
    await this.#stack('kafka-start');
  }

  /** Stops the broker (SIGTERM to its own pid), keeping its data. */
  async stop(): Promise<void> {
    await this.#stack('kafka-stop');
  }

  /** Stops the broker and removes its state directory. */
  async destroy(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async #stack(command: string): Promise<void> {
    await run('bash', [SCRIPT, command], {
      env: {
        ...process.env,
        DRIFTWATCH_STACK_DIR: this.dir,
        DRIFTWATCH_CACHE_DIR:
          process.env.DRIFTWATCH_CACHE_DIR ?? process.env.DRIFTWATCH_STACK_DIR ?? REPO_STACK,
        DRIFTWATCH_KAFKA_PORT: String(this.port),
        DRIFTWATCH_CONTROLLER_PORT: String(this.controllerPort),
      },
    });
  }
}

/** Ports the OS hands out as free now (all held at once, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
