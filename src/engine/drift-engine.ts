import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { concatMap, defer, type Subscription } from 'rxjs';
import { AlertingPublisher } from '../alerting/alerting-publisher.ts';
import { signalsFromWindow } from '../alerting/signals-from-window.ts';
import { alertsFor, type DriftAlert } from '../alerts/drift-alert.ts';
import { windowStatisticsRecord } from '../alerts/window-statistics.ts';
import type { Baseline } from '../baseline/baseline-types.ts';
import { loadTopologyBaseline } from '../baseline/topology-baseline.ts';
import { type Clock, systemClock } from '../core/time/clock.ts';
import { OffsetLedger } from '../core/window/offset-ledger.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { DRIFT_ALERT_SCHEMA_FILE, WINDOW_STATISTICS_SCHEMA_FILE } from '../kafka/avro-schemas.ts';
import { createKafka, ensureTopics, KAFKA_RETRY } from '../kafka/kafka-connection.ts';
import { type OutputSchema, registerOutputSchema } from '../kafka/output-schema.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { SinkSet } from '../sinks/sink-set.ts';
import {
  type DriftTaskRunner,
  DriftTopology,
  type LateRows,
  type WindowResult,
} from '../topology/drift-topology.ts';
import type { Topology } from '../topology/topology-types.ts';
import { DriftWorkerPool } from '../worker/drift-worker-pool.ts';
import { BatchExtractor } from './batch-extractor.ts';
import { type DeadLetter, deadLetterMessage } from './dead-letter.ts';
import { EventDecoder } from './event-decoder.ts';
import { lateEventMessage } from './late-events.ts';

export interface DriftEngineOptions {
  readonly topology: Topology;
  /** Overrides the baseline file the topology names (already loaded). */
  readonly baseline?: Baseline;
  readonly brokers: readonly string[];
  /** Confluent-compatible registry API base URL. */
  readonly registryUrl: string;
  /** Consumer group id (default `driftwatch.<topology name>`). */
  readonly groupId?: string;
  /** Drift worker threads (default cores - 1). */
  readonly threads?: number;
  /** Start a new consumer group at the earliest offset (default true). */
  readonly fromBeginning?: boolean;
  /** How often the wall clock is fed to the topology, for idleness and quiet close (default 500 ms). */
  readonly tickMs?: number;
  /** Pause consumption while more than this many windows or chunks are being evaluated (default 16). */
  readonly maxInFlight?: number;
  /** Rows per Arrow chunk (default 16384). */
  readonly chunkRows?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called after a window's alerts are produced and before its offsets may be committed. */
  readonly onWindow?: (result: WindowResult, alerts: readonly DriftAlert[]) => void;
}

export interface EngineCounters {
  /** Messages read from the source topic. */
  readonly consumed: number;
  /** Events assigned to a window (processed). */
  readonly processed: number;
  /** Events that arrived after their windows closed (dropped, or sent to the late-events topic; counted). */
  readonly late: number;
  /** Late events added to retained windows under the update policy (also counted in processed). */
  readonly updated: number;
  /** Late events produced to the late-events topic. */
  readonly lateSidelined: number;
  /** Messages sent to the dead-letter topic. */
  readonly deadLettered: number;
  /** Times a partition was paused because too much work was in flight. */
  readonly pauses: number;
  readonly windows: number;
  readonly alerts: number;
}

/**
 * The engine for one topology: a kafkajs consumer group feeding the RxJS drift topology, drift workers, and a
 * producer for alerts and dead letters.
 *
 * Delivery: offsets are committed by hand, only up to the lowest offset still held by an open window or by a window
 * whose alerts are not yet produced (OffsetLedger). Dead letters are produced before the batch that held them is
 * committed. So after a crash every event is re-read unless it was counted into a published window, counted late,
 * or dead-lettered: at-least-once, and alert ids are deterministic so a replayed alert is recognisable.
 */
export class DriftEngine {
  readonly topology: Topology;
  readonly #options: DriftEngineOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #kafka: Kafka;
  readonly #registry: SchemaRegistryClient;
  readonly #decoder: EventDecoder;
  readonly #ledger = new OffsetLedger();
  readonly #committed = new Map<number, number>();
  readonly #settleWaiters: (() => void)[] = [];
  readonly #paused: (() => void)[] = [];
  #pauses = 0;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #pool: DriftWorkerPool | undefined;
  #flow: DriftTopology | undefined;
  #extractor: BatchExtractor | undefined;
  #alertSchema: OutputSchema | undefined;
  #statsSchema: OutputSchema | undefined;
  #baselineVersion = '';
  /** Incidents and retrain requests of this engine's windows. */
  #alerting: AlertingPublisher | undefined;
  #sinks: SinkSet | undefined;
  /** The source messages of the batch being handled, by row of its EventBatch (for the late-events topic). */
  #rowMessages: KafkaMessage[] = [];
  #lateMessages: Message[] = [];
  #lateSidelined = 0;
  #subscription: Subscription | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #consumed = 0;
  #deadLettered = 0;
  #alerts = 0;
  #failure: Error | undefined;
  #stopping = false;
  #resolveDone!: () => void;
  #rejectDone!: (error: Error) => void;
  /** Settles when the engine stops: resolves on stop(), rejects if the engine failed. */
  readonly done: Promise<void>;

  private constructor(options: DriftEngineOptions) {
    this.#options = options;
    this.topology = options.topology;
    this.#logger = options.logger ?? createLogger();
    this.#clock = options.clock ?? systemClock;
    this.#kafka = createKafka({ brokers: options.brokers, clientId: `driftwatch-${options.topology.name}` });
    this.#registry = new SchemaRegistryClient({ url: options.registryUrl });
    this.#decoder = new EventDecoder(this.#registry);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => {});
  }

  static async start(options: DriftEngineOptions): Promise<DriftEngine> {
    validateOptions(options);
    const engine = new DriftEngine(options);
    try {
      await engine.#start();
    } catch (error) {
      await engine.#teardown();
      throw error;
    }
    return engine;
  }

  counters(): EngineCounters {
    const c = this.#flow?.counters ?? { accepted: 0, late: 0, updated: 0, windows: 0 };
    return {
      consumed: this.#consumed,
      processed: c.accepted,
      late: c.late,
      updated: c.updated,
      lateSidelined: this.#lateSidelined,
      deadLettered: this.#deadLettered,
      pauses: this.#pauses,
      windows: c.windows,
      alerts: this.#alerts,
    };
  }

  /** The current event-time watermark of the source stream. */
  watermark(): number {
    return this.#flow?.watermark() ?? Number.NEGATIVE_INFINITY;
  }

  async #start(): Promise<void> {
    const { topology } = this;
    const baseline =
      this.#options.baseline ?? (await loadTopologyBaseline(this.#kafka, topology, this.#logger));
    this.#baselineVersion = baseline.version;
    this.#extractor = new BatchExtractor(topology, this.#clock);
    this.#pool = new DriftWorkerPool(
      this.#options.threads !== undefined ? { threads: this.#options.threads } : {},
    );
    const runner: DriftTaskRunner = this.#pool;
    this.#flow = new DriftTopology({
      topology,
      baseline,
      layout: this.#extractor.layout,
      runner,
      ledger: this.#ledger,
      clock: this.#clock,
      ...(this.#options.chunkRows !== undefined ? { chunkRows: this.#options.chunkRows } : {}),
      onLate: (late) => this.#onLate(late),
    });

    this.#alertSchema = await registerOutputSchema(
      this.#registry,
      topology.outputs.alertTopic,
      DRIFT_ALERT_SCHEMA_FILE,
    );

    this.#sinks = SinkSet.fromTopology(topology, this.#logger);
    this.#alerting = new AlertingPublisher(topology.alerting, this.#logger);
    await this.#alerting.prepare(this.#registry, this.#kafka);

    const { windowStatisticsTopic, lateEventsTopic } = topology.outputs;
    if (windowStatisticsTopic !== null) {
      this.#statsSchema = await registerOutputSchema(
        this.#registry,
        windowStatisticsTopic,
        WINDOW_STATISTICS_SCHEMA_FILE,
      );
    }
    await ensureTopics(this.#kafka, [
      { topic: topology.outputs.alertTopic },
      { topic: topology.outputs.deadLetterTopic },
      ...(windowStatisticsTopic !== null ? [{ topic: windowStatisticsTopic }] : []),
      ...(lateEventsTopic !== null && topology.window.late.policy === 'side-topic'
        ? [{ topic: lateEventsTopic }]
        : []),
    ]);

    this.#producer = this.#kafka.producer({ allowAutoTopicCreation: false });
    await this.#producer.connect();

    this.#subscription = this.#flow.results$
      .pipe(concatMap((result) => defer(() => this.#publish(result))))
      .subscribe({ error: (error: unknown) => void this.#fail(error) });

    const groupId = this.#options.groupId ?? `driftwatch.${topology.name}`;
    this.#consumer = this.#kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
      // Window state lives in memory; a consumer restarted by kafkajs would re-read from the committed offsets into
      // that state and count events twice. A crash therefore stops the engine, and a restart starts clean.
      retry: { ...KAFKA_RETRY, restartOnFailure: async () => false },
    });
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [topology.source.topic],
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    // Assigned partitions hold the watermark back until they deliver (or go idle), so a first fetch that misses a
    // partition does not make that partition's backlog late.
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[topology.source.topic] ?? [];
      this.#flow?.input$.next({ kind: 'assign', partitions });
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      if (!event.payload.restart) void this.#fail(error);
    });

    this.#ticker = setInterval(() => {
      this.#flow?.input$.next({ kind: 'tick' });
      this.#resumeIfDrained();
    }, this.#options.tickMs ?? 500);
    this.#logger.info('engine started', {
      monitor: topology.name,
      topic: topology.source.topic,
      group: groupId,
      baseline: this.#baselineVersion,
      alerts: topology.outputs.alertTopic,
      deadLetter: topology.outputs.deadLetterTopic,
      incidents: topology.alerting.incidentTopic,
      retrain: topology.alerting.retrain.topic,
    });
  }

  async #eachBatch({ batch, heartbeat, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const flow = this.#flow!;
    const extractor = this.#extractor!;
    const messages = batch.messages;
    if (messages.length === 0) return;
    await this.#decoder.prepare(messages.map((m) => m.value));
    const builder = extractor.begin(messages.length);
    const dead: DeadLetter[] = [];
    const sideline = this.topology.window.late.policy === 'side-topic';
    const rowMessages = this.#rowMessages;
    rowMessages.length = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const outcome = this.#decoder.decode(message.value);
      if (!outcome.ok) {
        dead.push({ message, code: outcome.code, reason: outcome.reason });
        continue;
      }
      const reason = builder.push(outcome.record, Number(message.offset));
      if (reason !== null) dead.push({ message, code: ErrorCodes.EVENT_INVALID, reason });
      else if (sideline) rowMessages.push(message);
    }
    const events = builder.finish(batch.partition, Number(batch.offsetLag()) > 0);
    if (dead.length > 0) {
      const source = { topic: batch.topic, partition: batch.partition, monitor: this.topology.name };
      await this.#producer!.send({
        topic: this.topology.outputs.deadLetterTopic,
        messages: dead.map((d) => deadLetterMessage(d, source)),
      });
      this.#deadLettered += dead.length;
      this.#logger.warn('dead-lettered messages', {
        monitor: this.topology.name,
        partition: batch.partition,
        count: dead.length,
        first: `${dead[0]!.code}: ${dead[0]!.reason}`,
      });
    }
    this.#consumed += messages.length;
    flow.input$.next({ kind: 'batch', batch: events });
    if (this.#lateMessages.length > 0) {
      // Produced before the batch is committed, like dead letters: a late event is never lost between the two.
      const late = this.#lateMessages.splice(0);
      await this.#producer!.send({ topic: this.topology.outputs.lateEventsTopic!, messages: late });
      this.#lateSidelined += late.length;
    }
    rowMessages.length = 0;
    this.#ledger.advance(batch.partition, Number(messages[messages.length - 1]!.offset) + 1);

    // Backpressure by pausing: while too many windows and chunks are in flight, this partition is not fetched;
    // it resumes when published windows bring the count back under the limit. Other partitions keep flowing, and
    // heartbeats go on because no handler is left waiting.
    if (flow.inFlight > (this.#options.maxInFlight ?? 16) && isRunning() && !isStale()) {
      this.#paused.push(pause());
      this.#pauses++;
    }
    await this.#commit();
    await heartbeat();
  }

  /** Late rows of the batch being handled: sidelined to the late-events topic under that policy, else only counted. */
  #onLate(late: LateRows): void {
    if (this.topology.window.late.policy !== 'side-topic') return;
    const watermark = this.#flow?.watermark() ?? Number.NEGATIVE_INFINITY;
    for (const row of late.rows) {
      const message = this.#rowMessages[row];
      if (message === undefined) continue;
      this.#lateMessages.push(
        lateEventMessage(message, {
          topic: this.topology.source.topic,
          partition: late.batch.partition,
          monitor: this.topology.name,
          eventTime: late.batch.eventTimes[row]!,
          watermark,
        }),
      );
    }
  }

  async #publish(result: WindowResult): Promise<void> {
    const now = this.#clock.now();
    const alerts = alertsFor(result, now);
    const statsTopic = this.topology.outputs.windowStatisticsTopic;
    if (statsTopic !== null) {
      await this.#producer!.send({
        topic: statsTopic,
        acks: -1,
        messages: [
          {
            key: result.monitor,
            value: this.#statsSchema!.encode(windowStatisticsRecord(result, now)),
          },
        ],
      });
    }
    if (alerts.length > 0) {
      const schema = this.#alertSchema!;
      await this.#producer!.send({
        topic: this.topology.outputs.alertTopic,
        acks: -1,
        messages: alerts.map((alert) => ({
          key: alert.model_name,
          value: schema.encode(alert),
          headers: { 'dw.alert.id': alert.alert_id },
        })),
      });
      this.#alerts += alerts.length;
      for (const alert of alerts) this.#sinks?.send({ kind: 'drift-alert', record: alert });
      for (const alert of alerts) {
        this.#logger.warn('drift alert', {
          monitor: alert.monitor,
          severity: alert.severity,
          ...(alert.segment !== null ? { segment: alert.segment } : {}),
          ...(alert.reference !== 'baseline' ? { reference: alert.reference } : {}),
          ...(alert.revision !== 0 ? { revision: alert.revision } : {}),
          feature: alert.feature,
          window: `${new Date(alert.window_start).toISOString()}/${new Date(alert.window_end).toISOString()}`,
          statistic: alert.statistic,
          value: Number(alert.value.toPrecision(4)),
          threshold: alert.threshold,
          rows: alert.current_size,
        });
      }
    }
    // Durable before the window's offsets may be committed, like its alerts.
    const outcome = await this.#alerting!.publish(this.#producer!, signalsFromWindow(result), now);
    this.#sinks?.sendAlerting(outcome, now);
    for (const holder of result.releases) this.#ledger.release(holder);
    this.#flow!.settled();
    this.#options.onWindow?.(result, alerts);
    for (const wake of this.#settleWaiters.splice(0)) wake();
    this.#resumeIfDrained();
    await this.#commit();
  }

  /** Resumes paused partitions once in-flight work is back under the limit (after a publish, and on every tick). */
  #resumeIfDrained(): void {
    if (this.#paused.length > 0 && (this.#flow?.inFlight ?? 0) <= (this.#options.maxInFlight ?? 16)) {
      for (const resume of this.#paused.splice(0)) resume();
    }
  }

  #waitForSettle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#settleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Commits, per partition, the offset the ledger allows, if it moved. Commits are serialised. */
  #commit(): Promise<void> {
    this.#commitChain = this.#commitChain.then(async () => {
      const consumer = this.#consumer;
      if (consumer === undefined || this.#failure !== undefined) return;
      const offsets: { topic: string; partition: number; offset: string }[] = [];
      for (const partition of this.#ledger.partitions()) {
        const offset = this.#ledger.committable(partition);
        if (offset === undefined || offset <= (this.#committed.get(partition) ?? -1)) continue;
        offsets.push({ topic: this.topology.source.topic, partition, offset: String(offset) });
      }
      if (offsets.length === 0) return;
      await consumer.commitOffsets(offsets);
      for (const o of offsets) this.#committed.set(o.partition, Number(o.offset));
    });
    return this.#commitChain;
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#failure !== undefined || this.#stopping) return;
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#logger.error('engine failed', {
      monitor: this.topology.name,
      error: this.#failure.message,
      code: error instanceof DriftwatchError ? error.code : undefined,
    });
    // What was already produced to Kafka still goes to the webhooks (bounded by the close timeout), and their retry
    // timers do not outlive the engine.
    await this.#sinks?.close().catch(() => {});
    await this.#teardown();
    this.#rejectDone(this.#failure);
  }

  /**
   * Stops consuming, waits (up to `drainMs`) for windows already closed to be published and committed, then
   * disconnects. Open windows are not force-closed: their events stay uncommitted and are re-read on restart.
   */
  async stop(drainMs = 10_000): Promise<void> {
    if (this.#stopping) return this.done;
    this.#stopping = true;
    if (this.#ticker) clearInterval(this.#ticker);
    await this.#consumer?.stop().catch(() => {});
    const deadline = Date.now() + drainMs;
    while ((this.#flow?.inFlight ?? 0) > 0 && Date.now() < deadline && this.#failure === undefined) {
      await this.#waitForSettle(200);
    }
    await this.#commit().catch(() => {});
    await this.#sinks?.close().catch(() => {});
    await this.#teardown();
    this.#logger.info('engine stopped', { monitor: this.topology.name, ...this.counters() });
    if (this.#failure === undefined) this.#resolveDone();
    return this.done;
  }

  async #teardown(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#subscription?.unsubscribe();
    await this.#consumer?.disconnect().catch(() => {});
    await this.#producer?.disconnect().catch(() => {});
    await this.#pool?.close().catch(() => {});
    this.#consumer = undefined;
  }
}

function validateOptions(options: DriftEngineOptions): void {
  const bad = (message: string) => new DriftwatchError(ErrorCodes.INVALID_OPTION, message);
  if (options.topology === undefined) throw bad('topology is required');
  if (options.tickMs !== undefined && !(options.tickMs >= 10)) throw bad('tickMs must be at least 10');
  if (
    options.maxInFlight !== undefined &&
    !(Number.isInteger(options.maxInFlight) && options.maxInFlight >= 1)
  ) {
    throw bad('maxInFlight must be a positive integer');
  }
  if (options.chunkRows !== undefined && !(Number.isInteger(options.chunkRows) && options.chunkRows >= 64)) {
    throw bad('chunkRows must be an integer >= 64');
  }
}
