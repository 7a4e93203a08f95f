/**
 * The engine's issue-4 edges on the real broker and registry: the baseline taken from a compacted topic (the file the
 * topology names does not exist), per-segment windows with the whole stream, the window-statistics topic, and late
 * events produced to the late-events topic with their bytes and reasons.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import type { WindowStatisticsRecord } from '../../src/alerts/window-statistics.ts';
import { publishBaseline } from '../../src/baseline/baseline-topic.ts';
import { loadBaseline } from '../../src/baseline/load-baseline.ts';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import { CreditRiskEventGenerator, NO_DRIFT } from '../../src/demo/credit-risk-events.ts';
import { LATE_EVENT_HEADERS } from '../../src/engine/late-events.ts';
import { readShippedSchema, WINDOW_STATISTICS_SCHEMA_FILE } from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';
import { startTestEngine } from '../support/engine-test-kit.ts';
import { brokers, readTopic, registryUrl, testKafka, uniqueName } from '../support/kafka-test-kit.ts';

const MINUTE = 60_000;
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE;
const DEMO_BASELINE = fileURLToPath(
  new URL('../../topologies/baselines/credit-risk.baseline.json', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'dw-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drift engine outputs on the real broker and registry', () => {
  it('uses the published baseline, evaluates segments, writes window statistics and sidelines late events', async () => {
    const topic = uniqueName('it.predictions');
    const names = {
      alerts: uniqueName('it.alerts'),
      stats: uniqueName('it.window-stats'),
      dead: uniqueName('it.dead'),
      late: uniqueName('it.late'),
      baselines: uniqueName('it.baselines'),
    };
    const baselineName = uniqueName('credit-risk');
    const baseline = await loadBaseline(DEMO_BASELINE);
    await publishBaseline(testKafka(), names.baselines, baseline, baselineName);

    const file = join(dir, 'outputs.yaml');
    writeFileSync(
      file,
      `apiVersion: driftwatch/v1
name: outputs-test
source:
  topic: ${topic}
  eventTime: event_time
baseline:
  file: does-not-exist.baseline.json
  topic: ${names.baselines}
  name: ${baselineName}
window:
  type: tumbling
  size: 1m
  outOfOrderness: 5s
  quietClose: 1500ms
  late: side-topic
features:
  - { name: amount, field: features.amount, kind: numeric, test: psi }
  - { name: channel, field: features.channel, kind: categorical, test: js }
segments:
  field: features.country
  maxValues: 2
outputs:
  alerts: ${names.alerts}
  windowStatistics: ${names.stats}
  deadLetter: ${names.dead}
  lateEvents: ${names.late}
`,
    );
    const topology = await loadTopologyFile(file);
    await ensureTopics(testKafka(), [{ topic, numPartitions: 2 }]);
    const producer = await PredictionProducer.connect({
      brokers,
      registryUrl,
      topic,
      schema: readShippedSchema('credit-risk-prediction.avsc'),
      key: (event) => String(event.request_id),
    });
    const { engine, windows, until, stop } = await startTestEngine(topology);
    try {
      const generator = new CreditRiskEventGenerator(77);
      const events = (from: number, n: number) =>
        Array.from(
          { length: n },
          (_, j) =>
            generator.next(from + Math.floor((j * MINUTE) / n), NO_DRIFT) as unknown as Record<
              string,
              unknown
            >,
        );
      const onTime = [...events(BASE, 600), ...events(BASE + MINUTE, 600)];
      for (let i = 0; i < onTime.length; i += 300) await producer.send(onTime.slice(i, i + 300));
      const segmentsPerWindow = 4; // two countries, other, and the whole stream
      await until('two windows in every segment', () => windows.length >= 2 * segmentsPerWindow);

      // The stream is quiet, so the watermark follows the wall clock: these are late for windows long closed.
      const late = events(BASE + 10_000, 25);
      await producer.send(late);
      await until('25 late events', () => engine.counters().late >= 25, 60_000);

      const counters = engine.counters();
      expect(counters).toMatchObject({
        consumed: 1225,
        processed: 1200,
        late: 25,
        lateSidelined: 25,
        deadLettered: 0,
      });
      expect(windows.every((w) => w.baselineVersion === baseline.version)).toBe(true);
      const labels = [...new Set(windows.map((w) => w.segment))];
      expect(labels).toHaveLength(4);
      expect(labels).toContain('*');
      expect(labels).toContain('other');
      for (const start of [BASE, BASE + MINUTE]) {
        const of = windows.filter((w) => w.start === start);
        const whole = of.find((w) => w.segment === '*')!;
        expect(whole.rows).toBe(600);
        expect(of.filter((w) => w.segment !== '*').reduce((sum, w) => sum + w.rows, 0)).toBe(600);
      }

      const statsType = avro.Type.forSchema(readShippedSchema(WINDOW_STATISTICS_SCHEMA_FILE) as avro.Schema);
      const stats = (await readTopic(names.stats, windows.length)).map(
        (m) => statsType.fromBuffer(m.value!.subarray(5)) as WindowStatisticsRecord,
      );
      expect(stats).toHaveLength(windows.length);
      for (const record of stats) {
        expect(record.statistics.map((s) => `${s.feature}/${s.statistic}`)).toEqual([
          'amount/psi',
          'channel/js',
        ]);
        expect(record.baseline_version).toBe(baseline.version);
      }

      const sidelined = await readTopic(names.late, 25);
      expect(sidelined).toHaveLength(25);
      const header = (m: (typeof sidelined)[number], key: string) => m.headers[key]?.toString();
      for (const m of sidelined) {
        expect(Number(header(m, LATE_EVENT_HEADERS.eventTime))).toBeLessThan(BASE + 2 * MINUTE);
        expect(Number(header(m, LATE_EVENT_HEADERS.watermark))).toBeGreaterThan(BASE + 2 * MINUTE);
        expect(header(m, LATE_EVENT_HEADERS.topic)).toBe(topic);
        expect(header(m, LATE_EVENT_HEADERS.monitor)).toBe('outputs-test');
        expect(m.value![0]).toBe(0); // the original wire-format bytes
      }
    } finally {
      await stop();
      await producer.close();
    }
  });
});
