import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { type WindowStatisticsRecord, windowStatisticsRecord } from '../../src/alerts/window-statistics.ts';
import { measureTest } from '../../src/core/drift/feature-drift.ts';
import { qualityChecks } from '../../src/core/quality/data-quality.ts';
import { readShippedSchema, WINDOW_STATISTICS_SCHEMA_FILE } from '../../src/kafka/avro-schemas.ts';
import type { WindowResult } from '../../src/topology/drift-topology.ts';
import type { TestPlan } from '../../src/topology/feature-specs.ts';
import { judgeMeasurements, resolvePlanLevels } from '../../src/topology/judge-measurements.ts';

const SCHEMA = readShippedSchema(WINDOW_STATISTICS_SCHEMA_FILE) as avro.Schema;
const TYPE = avro.Type.forSchema(SCHEMA);
const START = Date.UTC(2026, 0, 1, 12, 0);

/** A window with one drifted js test: reference DE / FR 50 / 50, window 25 DE, 50 FR, 25 unseen. */
function window(): WindowResult {
  const plans: TestPlan[] = [
    {
      feature: 'country',
      featureKind: 'categorical',
      test: 'js',
      thresholds: { kind: 'fixed', warning: 0.1, critical: 0.2 },
      referenceChunks: null,
    },
  ];
  const measured = measureTest(
    'js',
    { name: 'country', kind: 'categorical', categories: ['DE', 'FR'] },
    { counts: Float64Array.of(50, 50, 0, 0), summary: null },
    { counts: Float64Array.of(25, 50, 25, 0), summary: null },
  );
  const statistics = judgeMeasurements(
    plans,
    resolvePlanLevels(plans),
    { baseline: [measured], previous: null },
    'none',
  );
  return {
    monitor: 'credit-risk',
    windowKey: `credit-risk/${START}`,
    segment: null,
    start: START,
    end: START + 60_000,
    revision: 0,
    rows: 100,
    models: [{ name: 'credit-risk', version: '1', rows: 100 }],
    quality: qualityChecks({
      feature: 'country',
      featureKind: 'categorical',
      referenceCounts: Float64Array.of(50, 50, 0, 0),
      currentCounts: Float64Array.of(25, 50, 25, 0),
    }),
    baselineVersion: 'credit-risk@06d1163955de',
    statistics,
    releases: [],
  };
}

describe('windowStatisticsRecord top_contributors', () => {
  it('lists each statistic with its top contributors, valid for the schema and round-tripping', () => {
    const record = windowStatisticsRecord(window(), 1);
    const [statistic] = record.statistics;
    // m = (0.375, 0.5, 0.125): unseen adds 0.25 ln(0.25 / 0.125) / (2 ln 2) = 0.125 bits, DE the rest; FR none.
    const de = (0.5 * Math.log(0.5 / 0.375) + 0.25 * Math.log(0.25 / 0.375)) / (2 * Math.LN2);
    expect(statistic!.top_contributors).toEqual([
      { bucket: 'unseen', reference_share: 0, current_share: 0.25, contribution: expect.closeTo(0.125, 15) },
      { bucket: 'DE', reference_share: 0.5, current_share: 0.25, contribution: expect.closeTo(de, 15) },
    ]);
    expect(TYPE.isValid(record)).toBe(true);
    expect(TYPE.fromBuffer(TYPE.toBuffer(record))).toEqual(record);
  });

  it('reads records written before the field with an empty list', () => {
    const record = windowStatisticsRecord(window(), 1);
    // The version before this field: the same schema without it in the nested statistic record.
    const old = structuredClone(SCHEMA) as unknown as {
      fields: { name: string; type: { items: { fields: { name: string }[] } } }[];
    };
    const item = old.fields.find((f) => f.name === 'statistics')!.type.items;
    const before = item.fields.length;
    item.fields = item.fields.filter((f) => f.name !== 'top_contributors');
    expect(item.fields).toHaveLength(before - 1);
    const oldType = avro.Type.forSchema(old as unknown as avro.Schema);
    const oldRecord = {
      ...record,
      statistics: record.statistics.map(({ top_contributors: _, ...s }) => s),
    };
    const decoded = TYPE.fromBuffer(
      oldType.toBuffer(oldRecord),
      TYPE.createResolver(oldType),
    ) as WindowStatisticsRecord;
    expect(decoded.statistics.map((s) => s.top_contributors)).toEqual([[]]);
    expect(decoded.statistics[0]!.value).toBe(record.statistics[0]!.value);
  });
});
