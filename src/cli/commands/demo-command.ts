import { setTimeout as sleep } from 'node:timers/promises';
import { subscribeAlerts } from '../../alerts/alert-subscriber.ts';
import type { DriftAlert } from '../../alerts/drift-alert.ts';
import { subscribe } from '../../alerts/subscriber.ts';
import { PredictionProducer } from '../../client/prediction-producer.ts';
import { CreditRiskEventGenerator, DEMO_DRIFT, NO_DRIFT } from '../../demo/credit-risk-events.ts';
import { DriftEngine } from '../../engine/drift-engine.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { readShippedSchema } from '../../kafka/avro-schemas.ts';
import { createKafka, ensureTopics } from '../../kafka/kafka-connection.ts';
import { createLogger } from '../../logging/logger.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { durationOption, integerOption, parseCommandArgs } from '../cli-args.ts';
import { defaultBrokers, defaultRegistryUrl } from '../connection-defaults.ts';
import { formatEvent } from '../event-format.ts';

export const DEMO_HELP = `driftwatch demo [options]

The whole path on a running local stack (start it with: bash scripts/stack.sh start, or use npm run demo):
a service produces credit-risk prediction events in real time; the engine runs topologies/credit-risk.yaml with
short windows; after a while the service's inputs drift (amount up by half, channel towards mobile); the alerts
are read back from the alert topic and printed as they arrive.

Options:
  --window <duration>       window size (default 10s)
  --drift-after <duration>  when the drift starts (default 35s)
  --duration <duration>     how long events are produced (default 70s)
  --rate <n>                events per second (default 300)
`;

export async function demoCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    window: { type: 'string' },
    'drift-after': { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
  });
  const windowMs = durationOption('window', values.window, 10_000);
  const driftAfter = durationOption('drift-after', values['drift-after'], 35_000);
  const duration = durationOption('duration', values.duration, 70_000);
  const rate = integerOption('rate', values.rate, 300);
  const brokers = defaultBrokers();
  const registryUrl = defaultRegistryUrl();
  const logger = createLogger(process.env.DRIFTWATCH_LOG_LEVEL === undefined ? 'error' : undefined);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const base = await loadTopologyFile(
    new URL('../../../topologies/credit-risk.yaml', import.meta.url).pathname,
  );
  const runId = Date.now().toString(36);
  if (base.window.type !== 'tumbling') {
    throw new DriftwatchError(ErrorCodes.TOPOLOGY_INVALID, 'the demo topology must use tumbling windows');
  }
  const topology: Topology = {
    ...base,
    source: { ...base.source, topic: `${base.source.topic}.demo-${runId}` },
    window: { ...base.window, sizeMs: windowMs, outOfOrdernessMs: 1_000, quietCloseMs: 3_000 },
  };
  await ensureTopics(createKafka({ brokers }), [{ topic: topology.source.topic, numPartitions: 2 }]);

  const alerts: DriftAlert[] = [];
  let driftStartedAt = Number.POSITIVE_INFINITY;
  const subscription = await subscribeAlerts({
    brokers,
    registryUrl,
    topic: topology.outputs.alertTopic,
    groupId: `driftwatch-demo-tail-${runId}`,
    onAlert: (alert) => {
      if (alert.monitor !== topology.name || alert.window_end <= Date.now() - 10 * duration) return;
      alerts.push(alert);
      out(
        `  ALERT ${(alert.severity ?? 'critical').padEnd(8)} ${alert.feature.padEnd(8)} ${alert.statistic.padEnd(4)} = ${alert.value.toPrecision(4).padStart(9)}` +
          `  threshold ${alert.threshold}${alert.p_value !== null ? `  p=${alert.p_value.toExponential(2)}` : ''}` +
          `  window ${time(alert.window_start)}-${time(alert.window_end)}  rows ${alert.current_size}` +
          `  model ${alert.model_name} ${alert.model_versions.join(',')}  id ${alert.alert_id.slice(0, 12)}`,
      );
    },
  });

  // Incidents and retrain requests: one incident for the drift, however many windows and features it spans.
  let incidents = 0;
  const lifecycle = await subscribe({
    brokers,
    registryUrl,
    topics: [topology.alerting.incidentTopic, topology.alerting.retrain.topic],
    groupId: `driftwatch-demo-incidents-${runId}`,
    onEvent: (event) => {
      if (event.kind !== 'incident' && event.kind !== 'retrain') return;
      if (event.record.monitor !== topology.name || event.record.window_end <= Date.now() - 10 * duration)
        return;
      if (event.kind === 'incident') incidents++;
      out(`  ${formatEvent(event)}`);
    },
  });

  const engine = await DriftEngine.start({
    topology,
    brokers,
    registryUrl,
    logger,
    groupId: `driftwatch.demo-${runId}`,
    onWindow: (result) => {
      const stats = result.statistics
        .map((s) => `${s.feature} ${s.test}=${(s.pValue ?? s.value).toPrecision(3)}${s.drift ? '!' : ''}`)
        .join('  ');
      out(
        `window ${time(result.start)}-${time(result.end)}  ${String(result.rows).padStart(5)} rows  ${stats}`,
      );
    },
  });
  const producer = await PredictionProducer.connect({
    brokers,
    registryUrl,
    topic: topology.source.topic,
    schema: readShippedSchema('credit-risk-prediction.avsc'),
    key: (event) => String(event.request_id),
  });

  out(`driftwatch demo: ${rate} events/s to ${topology.source.topic}, ${windowMs / 1000}s windows,`);
  out(`drift injected after ${driftAfter / 1000}s, alerts read back from ${topology.outputs.alertTopic}`);
  out('(ks and chi2 show their p-value; ! marks a drifted feature)');
  const generator = new CreditRiskEventGenerator(7, `demo-${runId}`);
  const started = Date.now();
  const tickMs = 100;
  let sent = 0;
  let failed: Error | undefined;
  engine.done.catch((error: Error) => {
    failed = error;
  });
  while (Date.now() - started < duration && failed === undefined) {
    const now = Date.now();
    const drifting = now - started >= driftAfter;
    if (drifting && driftStartedAt === Number.POSITIVE_INFINITY) {
      driftStartedAt = now;
      out(`>>> ${time(now)} the service's inputs start drifting: amount x1.5, channel mix towards mobile`);
    }
    const due = Math.floor(((now - started) / 1000) * rate) - sent;
    if (due > 0) {
      const events: Record<string, unknown>[] = [];
      for (let i = 0; i < due; i++) {
        events.push(
          generator.next(now - Math.random() * 500, drifting ? DEMO_DRIFT : NO_DRIFT) as unknown as Record<
            string,
            unknown
          >,
        );
      }
      await producer.send(events);
      sent += due;
    }
    await sleep(tickMs);
  }
  await producer.close();
  if (failed !== undefined) {
    await subscription.stop();
    await lifecycle.stop();
    throw failed;
  }
  out(`producer stopped after ${sent} events; waiting for the last window to close`);
  await sleep(windowMs + 5_000);
  await engine.stop();
  await sleep(1_000);
  await subscription.stop();
  await lifecycle.stop();

  const c = engine.counters();
  out(
    `counted: consumed ${c.consumed} = processed ${c.processed} + late ${c.late} + dead-lettered ${c.deadLettered}; ` +
      `${c.windows} windows, ${c.alerts} alerts`,
  );
  const afterDrift = alerts.filter((a) => a.window_end > driftStartedAt);
  const before = alerts.filter((a) => a.window_end <= driftStartedAt);
  const features = [...new Set(afterDrift.map((a) => a.feature))].sort();
  out(
    `alerts before the drift: ${before.length}; after: ${afterDrift.length} (features: ${features.join(', ') || 'none'}); ` +
      `incident events: ${incidents}`,
  );
  const ok = before.length === 0 && features.includes('amount') && features.includes('channel');
  out(
    ok
      ? 'demo ok: the drift was caught, and nothing before it raised an alert'
      : 'demo: unexpected outcome, see above',
  );
  return ok ? 0 : 1;
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
