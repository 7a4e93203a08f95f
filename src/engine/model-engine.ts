import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { AlertingPublisher } from '../alerting/alerting-publisher.ts';
import { signalsFromModel } from '../alerting/signals-from-model.ts';
import { modelAlertId, modelAlertRecord } from '../alerts/model-alert.ts';
import { modelStatisticsRecord } from '../alerts/model-statistics.ts';
import { rollbackRecommendationId, rollbackRecommendationRecord } from '../alerts/rollback-recommendation.ts';
import type { Baseline } from '../baseline/baseline-types.ts';
import { loadBaseline } from '../baseline/load-baseline.ts';
import { loadTopologyBaseline } from '../baseline/topology-baseline.ts';
import { type Clock, systemClock } from '../core/time/clock.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import {
  MODEL_ALERT_SCHEMA_FILE,
  MODEL_STATISTICS_SCHEMA_FILE,
  ROLLBACK_RECOMMENDATION_SCHEMA_FILE,
} from '../kafka/avro-schemas.ts';
import { createKafka, ensureTopics, KAFKA_RETRY } from '../kafka/kafka-connection.ts';
import { type OutputSchema, registerOutputSchema } from '../kafka/output-schema.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ModelEventExtractor } from '../model/model-event-extractor.ts';
import { ModelMonitor, type ModelMonitorOutput, type ModelStream } from '../model/model-monitor.ts';
import type { ModelMonitorCounters } from '../model/model-results.ts';
import type { StreamWatermarks } from '../model/monitor-part.ts';
import { SinkSet } from '../sinks/sink-set.ts';
import type { ModelSpec } from '../topology/model-spec.ts';
import type { Topology } from '../topology/topology-types.ts';
import { type DeadLetter, deadLetterMessage } from './dead-letter.ts';
import { EventDecoder } from './event-decoder.ts';

export interface ModelEngineOptions {
  /** A topology with a `model:` section. */
  readonly topology: Topology;
  /** Overrides the baseline the topology names (already loaded). */
  readonly baseline?: Baseline;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** Consumer group id (default `driftwatch.<topology name>.model`). */
  readonly groupId?: string;
  /** Start a new consumer group at the earliest offset (default true). */
  readonly fromBeginning?: boolean;
  /** How often the wall clock is fed to the monitor, for idleness and quiet close (default 500 ms). */
  readonly tickMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called after an output of the monitor was produced, before the offsets it covers may be committed. */
  readonly onOutput?: (output: ModelMonitorOutput) => void;
}

export interface ModelEngineCounters extends ModelMonitorCounters {
  /** Messages read from the three input topics. */
  readonly consumed: number;
  readonly deadLettered: number;
  readonly alerts: number;
  readonly reports: number;
}

/** Kafka offset a batch ended at, with the highest event time read from that partition up to it. */
interface Checkpoint {
  readonly offset: number;
  readonly maxTime: number;
}

interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  readonly stream: ModelStream;
  /** Highest event time read so far (never decreases). */
  maxTime: number;
  readonly pending: Checkpoint[];
  committed: number;
}

/**
 * The model-quality engine of one topology: one consumer group reading the prediction topic (the topology's source)
 * and, when configured, the label topic and the offline-feature topic, feeding a ModelMonitor, and a producer for model
 * alerts, rollback recommendations, model statistics and dead letters.
 *
 * Delivery: the monitor holds records in joins and open windows for up to a lookback. A partition's offsets are
 * committed only up to the end of the last batch whose records all have event times below the monitor's `doneBefore`
 * for their stream: every record at or below a committed offset has been published in a closed window or counted as
 * expired or late. Outputs are produced (acks all) before the offsets they cover are committed, and their ids are
 * deterministic, so a restart re-reads and re-publishes at most what was not yet committed: at-least-once.
 */
export class ModelEngine {
  readonly topology: Topology;
  readonly spec: ModelSpec;
  readonly #options: ModelEngineOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #kafka: Kafka;
  readonly #registry: SchemaRegistryClient;
  readonly #decoder: EventDecoder;
  readonly #streams = new Map<string, ModelStream>();
  readonly #progress = new Map<string, PartitionProgress>();
  #monitor: ModelMonitor | undefined;
  #extractor: ModelEventExtractor | undefined;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #alertSchema: OutputSchema | undefined;
  #rollbackSchema: OutputSchema | undefined;
  #statsSchema: OutputSchema | undefined;
  /** Incidents and retrain requests of the monitor's outputs; made (and its schemas registered) at the first output. */
  #alerting: AlertingPublisher | undefined;
  #sinks: SinkSet | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #consumed = 0;
  #deadLettered = 0;
  #alerts = 0;
  #reports = 0;
  #failure: Error | undefined;
  #stopping = false;
  #resolveDone!: () => void;
  #rejectDone!: (error: Error) => void;
  /** Settles when the engine stops: resolves on stop(), rejects if the engine failed. */
  readonly done: Promise<void>;

  private constructor(options: ModelEngineOptions, spec: ModelSpec) {
    this.#options = options;
    this.topology = options.topology;
    this.spec = spec;
    this.#logger = options.logger ?? createLogger();
    this.#clock = options.clock ?? systemClock;
    this.#kafka = createKafka({
      brokers: options.brokers,
      clientId: `driftwatch-${options.topology.name}-model`,
    });
    this.#registry = new SchemaRegistryClient({ url: options.registryUrl });
    this.#decoder = new EventDecoder(this.#registry);
    this.#streams.set(options.topology.source.topic, 'predictions');
    if (spec.labels !== null) this.#streams.set(spec.labels.topic, 'labels');
    if (spec.skew !== null) this.#streams.set(spec.skew.topic, 'offline');
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => {});
  }

  static async start(options: ModelEngineOptions): Promise<ModelEngine> {
    const spec = validateOptions(options);
    const engine = new ModelEngine(options, spec);
    try {
      await engine.#start();
    } catch (error) {
      await engine.#teardown();
      throw error;
    }
    return engine;
  }

  counters(): ModelEngineCounters {
    const empty: ModelMonitorCounters = {
      predictions: 0,
      labels: 0,
      offline: 0,
      labelled: 0,
      unlabelled: 0,
      orphanLabels: 0,
      skewJoined: 0,
      skewOnlineOnly: 0,
      skewOfflineOnly: 0,
      shadowPairs: 0,
      versionsWithoutBaseline: 0,
      late: 0,
      windows: 0,
      findings: 0,
      rollbacks: 0,
    };
    return {
      ...(this.#monitor?.counters() ?? empty),
      consumed: this.#consumed,
      deadLettered: this.#deadLettered,
      alerts: this.#alerts,
      reports: this.#reports,
    };
  }

  watermarks(): StreamWatermarks | undefined {
    return this.#monitor?.watermarks();
  }

  async #start(): Promise<void> {
    const { topology, spec } = this;
    const baseline =
      this.#options.baseline ?? (await loadTopologyBaseline(this.#kafka, topology, this.#logger));
    const versionBaselines = await loadVersionBaselines(spec);
    this.#sinks = SinkSet.fromTopology(topology, this.#logger);
    this.#monitor = new ModelMonitor({ topology, baseline, versionBaselines, clock: this.#clock });
    this.#extractor = new ModelEventExtractor(topology, this.#clock);

    const registry = this.#registry;
    this.#alertSchema = await registerOutputSchema(
      registry,
      spec.outputs.alertTopic,
      MODEL_ALERT_SCHEMA_FILE,
    );
    this.#rollbackSchema = await registerOutputSchema(
      registry,
      spec.outputs.rollbackTopic,
      ROLLBACK_RECOMMENDATION_SCHEMA_FILE,
    );
    if (spec.outputs.statisticsTopic !== null) {
      this.#statsSchema = await registerOutputSchema(
        registry,
        spec.outputs.statisticsTopic,
        MODEL_STATISTICS_SCHEMA_FILE,
      );
    }
    await ensureTopics(this.#kafka, [
      { topic: spec.outputs.alertTopic },
      { topic: spec.outputs.rollbackTopic },
      { topic: topology.outputs.deadLetterTopic },
      ...(spec.outputs.statisticsTopic !== null ? [{ topic: spec.outputs.statisticsTopic }] : []),
    ]);
    this.#producer = this.#kafka.producer({ allowAutoTopicCreation: false });
    await this.#producer.connect();

    const groupId = this.#options.groupId ?? `driftwatch.${topology.name}.model`;
    this.#consumer = this.#kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
      // Join state lives in memory: a consumer restarted by kafkajs would re-read into it and count twice.
      retry: { ...KAFKA_RETRY, restartOnFailure: async () => false },
    });
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [...this.#streams.keys()],
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, (event) => {
      for (const [topic, stream] of this.#streams) {
        this.#monitor?.assign(stream, event.payload.memberAssignment[topic] ?? []);
      }
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => {
      if (!event.payload.restart) void this.#fail(event.payload.error);
    });
    this.#ticker = setInterval(() => {
      if (this.#monitor === undefined || this.#failure !== undefined) return;
      void this.#emit(this.#monitor.advance()).catch((error: unknown) => this.#fail(error));
    }, this.#options.tickMs ?? 500);
    this.#logger.info('model engine started', {
      monitor: topology.name,
      topics: [...this.#streams.keys()].join(','),
      group: groupId,
      baseline: baseline.version,
      versionBaselines: [...versionBaselines].map(([v, b]) => `${v}=${b.version}`).join(','),
      alerts: spec.outputs.alertTopic,
      rollback: spec.outputs.rollbackTopic,
    });
  }

  async #eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const monitor = this.#monitor!;
    const extractor = this.#extractor!;
    const stream = this.#streams.get(batch.topic);
    const messages = batch.messages;
    if (stream === undefined || messages.length === 0) return;
    await this.#decoder.prepare(messages.map((m) => m.value));
    const progress = this.#progressOf(batch.topic, batch.partition, stream);
    const dead: DeadLetter[] = [];
    for (const message of messages) {
      const outcome = this.#decoder.decode(message.value);
      if (!outcome.ok) {
        dead.push({ message, code: outcome.code, reason: outcome.reason });
        continue;
      }
      const offset = Number(message.offset);
      const value = outcome.record as Record<string, unknown>;
      let time: number;
      if (stream === 'predictions') {
        const record = extractor.prediction(value, batch.partition, offset);
        if (typeof record === 'string') {
          dead.push({ message, code: ErrorCodes.EVENT_INVALID, reason: record });
          continue;
        }
        monitor.prediction(record);
        time = record.time;
      } else if (stream === 'labels') {
        const record = extractor.label(value, batch.partition, offset);
        if (typeof record === 'string') {
          dead.push({ message, code: ErrorCodes.EVENT_INVALID, reason: record });
          continue;
        }
        monitor.label(record);
        time = record.time;
      } else {
        const record = extractor.offline(value, batch.partition, offset);
        if (typeof record === 'string') {
          dead.push({ message, code: ErrorCodes.EVENT_INVALID, reason: record });
          continue;
        }
        monitor.offline(record);
        time = record.time;
      }
      if (time > progress.maxTime) progress.maxTime = time;
    }
    if (dead.length > 0) await this.#deadLetter(dead, batch.topic, batch.partition);
    this.#consumed += messages.length;
    progress.pending.push({
      offset: Number(messages[messages.length - 1]!.offset) + 1,
      maxTime: progress.maxTime,
    });
    await this.#emit(monitor.advance());
    await heartbeat();
  }

  #progressOf(topic: string, partition: number, stream: ModelStream): PartitionProgress {
    const key = `${topic}\u0000${partition}`;
    let progress = this.#progress.get(key);
    if (progress === undefined) {
      progress = {
        topic,
        partition,
        stream,
        maxTime: Number.NEGATIVE_INFINITY,
        pending: [],
        committed: -1,
      };
      this.#progress.set(key, progress);
    }
    return progress;
  }

  async #deadLetter(dead: readonly DeadLetter[], topic: string, partition: number): Promise<void> {
    const source = { topic, partition, monitor: this.topology.name };
    await this.#producer!.send({
      topic: this.topology.outputs.deadLetterTopic,
      messages: dead.map((d) => deadLetterMessage(d, source)),
    });
    this.#deadLettered += dead.length;
    this.#logger.warn('dead-lettered messages', {
      monitor: this.topology.name,
      topic,
      partition,
      count: dead.length,
      first: `${dead[0]!.code}: ${dead[0]!.reason}`,
    });
  }

  /** Produces an output of the monitor, then commits what it allows. Serialised: outputs keep their order. */
  #emit(output: ModelMonitorOutput): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      if (this.#failure !== undefined) return;
      await this.#produce(output);
      this.#options.onOutput?.(output);
      await this.#commit();
    });
    return this.#chain;
  }

  async #produce(output: ModelMonitorOutput): Promise<void> {
    const { spec } = this;
    const now = this.#clock.now();
    const producer = this.#producer!;
    // Registered before anything is sent, so a registry failure leaves no send of this output unawaited.
    const signals = signalsFromModel(output);
    let alerting: AlertingPublisher | undefined;
    if (signals.length > 0) {
      alerting = this.#alerting ??= new AlertingPublisher(this.topology.alerting, this.#logger);
      await alerting.prepare(this.#registry, this.#kafka);
    }
    const sends: Promise<unknown>[] = [];
    const alertRecords = output.findings.map((finding) => modelAlertRecord(finding, now));
    const rollbackRecords = output.rollbacks.map((rec) => rollbackRecommendationRecord(rec, now));
    if (output.findings.length > 0) {
      const messages: Message[] = output.findings.map((finding, i) => ({
        key: finding.modelName,
        value: this.#alertSchema!.encode(alertRecords[i]),
        headers: { 'dw.alert.id': modelAlertId(finding) },
      }));
      sends.push(producer.send({ topic: spec.outputs.alertTopic, acks: -1, messages }));
      this.#alerts += messages.length;
      for (const finding of output.findings) {
        this.#logger.warn('model alert', {
          monitor: finding.monitor,
          kind: finding.kind,
          severity: finding.severity,
          version: finding.modelVersion,
          subject: finding.subject,
          metric: finding.metric,
          value: Number(finding.value.toPrecision(4)),
          threshold: finding.threshold,
          message: finding.message,
        });
      }
    }
    if (output.rollbacks.length > 0) {
      const messages: Message[] = output.rollbacks.map((rec, i) => ({
        key: rec.modelName,
        value: this.#rollbackSchema!.encode(rollbackRecords[i]),
        headers: { 'dw.recommendation.id': rollbackRecommendationId(rec) },
      }));
      sends.push(producer.send({ topic: spec.outputs.rollbackTopic, acks: -1, messages }));
      for (const rec of output.rollbacks) {
        this.#logger.warn('rollback recommended', {
          monitor: rec.monitor,
          live: rec.liveVersion,
          candidate: rec.candidateVersion,
          role: rec.candidateRole,
          severity: rec.severity,
        });
      }
    }
    if (spec.outputs.statisticsTopic !== null && output.reports.length > 0) {
      const messages: Message[] = output.reports.map((report) => ({
        key: report.modelName,
        value: this.#statsSchema!.encode(modelStatisticsRecord(report, now)),
      }));
      sends.push(producer.send({ topic: spec.outputs.statisticsTopic, acks: -1, messages }));
    }
    this.#reports += output.reports.length;
    const outcome = alerting?.publish(producer, signals, now);
    if (outcome !== undefined) sends.push(outcome);
    await Promise.all(sends);
    // Only what Kafka has acked goes to the sinks, so a webhook never announces an event the topics lack.
    const sinks = this.#sinks;
    if (sinks !== undefined && sinks.size > 0) {
      for (const record of alertRecords) sinks.send({ kind: 'model-alert', record });
      for (const record of rollbackRecords) sinks.send({ kind: 'rollback', record });
      if (outcome !== undefined) sinks.sendAlerting(await outcome, now);
    }
  }

  /** Commits, per partition, the end of the last batch whose records the monitor no longer needs. */
  async #commit(): Promise<void> {
    const consumer = this.#consumer;
    const monitor = this.#monitor;
    if (consumer === undefined || monitor === undefined) return;
    const done = monitor.doneBefore();
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const progress of this.#progress.values()) {
      const before = done[progress.stream];
      let offset = -1;
      while (progress.pending.length > 0 && progress.pending[0]!.maxTime < before) {
        offset = progress.pending.shift()!.offset;
      }
      if (offset > progress.committed) {
        offsets.push({ topic: progress.topic, partition: progress.partition, offset: String(offset) });
        progress.committed = offset;
      }
    }
    if (offsets.length > 0) await consumer.commitOffsets(offsets);
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#failure !== undefined || this.#stopping) return;
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#logger.error('model engine failed', {
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
   * Stops consuming and waits for outputs already taken from the monitor to be produced and committed. Records still
   * held by joins and open windows are not force-closed: their offsets stay uncommitted and are re-read on restart.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return this.done;
    this.#stopping = true;
    if (this.#ticker) clearInterval(this.#ticker);
    await this.#consumer?.stop().catch(() => {});
    await this.#chain.catch(() => {});
    await this.#sinks?.close().catch(() => {});
    await this.#teardown();
    this.#logger.info('model engine stopped', { monitor: this.topology.name, ...this.counters() });
    if (this.#failure === undefined) this.#resolveDone();
    return this.done;
  }

  async #teardown(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    await this.#consumer?.disconnect().catch(() => {});
    await this.#producer?.disconnect().catch(() => {});
    this.#consumer = undefined;
  }
}

/** The training baseline of each version named in `model.newVersions`, read from its file when the engine starts. */
async function loadVersionBaselines(spec: ModelSpec): Promise<Map<string, Baseline>> {
  const files = Object.entries(spec.newVersions?.baselines ?? {});
  const loaded = await Promise.all(files.map(([, file]) => loadBaseline(file)));
  return new Map(files.map(([version], i) => [version, loaded[i]!]));
}

function validateOptions(options: ModelEngineOptions): ModelSpec {
  const bad = (message: string) => new DriftwatchError(ErrorCodes.INVALID_OPTION, message);
  if (options.topology === undefined) throw bad('topology is required');
  if (options.topology.model === null) {
    throw bad(
      `topology ${options.topology.name} has no model section: nothing for the model engine to monitor`,
    );
  }
  if (options.tickMs !== undefined && !(options.tickMs >= 10)) throw bad('tickMs must be at least 10');
  return options.topology.model;
}
