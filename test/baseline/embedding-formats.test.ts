import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  List,
  Table,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import type { Baseline } from '../../src/baseline/baseline-types.ts';
import { buildBaseline } from '../../src/baseline/build-baseline.ts';
import { fileEmbeddingColumns } from '../../src/baseline/embedding-reference.ts';
import { categoricalColumnNames, fileReferenceRows } from '../../src/baseline/file-reference.ts';
import { planChunks } from '../../src/baseline/reference-chunks.ts';
import { EmbeddingSummary } from '../../src/core/embedding/embedding-summary.ts';
import { readDataFile } from '../../src/io/read-data-file.ts';
import { modelBaselineTopology, modelSpec } from './model-baseline-topology.ts';

/**
 * An embedding reference from each input format that can hold a vector natively (NDJSON arrays, Parquet and Arrow
 * list columns), built along the CLI's path (baseline-command.ts): the baseline's centroid must be the mean of the
 * vectors written, computed here with a plain loop.
 */

const dir = mkdtempSync(join(tmpdir(), 'dw-embedding-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 40;
/** Row 7 has no vector: it is skipped, not counted. */
const MISSING = 7;
const DIMENSION = 4;

/** Deterministic, distinct vectors with components of different scales and signs. */
function vectorAt(i: number): number[] {
  return [Math.sin(i), Math.cos(i * 0.7), i / ROWS, (i % 3) - 1];
}

const VECTORS: (number[] | null)[] = Array.from({ length: ROWS }, (_, i) =>
  i === MISSING ? null : vectorAt(i),
);
const EVENT_TIME = Array.from({ length: ROWS }, (_, i) => 1_767_225_600_000 + i * 3_000);
const AMOUNT = Array.from({ length: ROWS }, (_, i) => 10 + (i % 9));
const COUNTRY = Array.from({ length: ROWS }, (_, i) => ['DE', 'FR', 'IT'][i % 3]!);

function mean(vectors: readonly (readonly number[] | null)[]): number[] {
  const sum = new Array<number>(DIMENSION).fill(0);
  let n = 0;
  for (const v of vectors) {
    if (v === null) continue;
    for (let j = 0; j < DIMENSION; j++) sum[j] = sum[j]! + v[j]!;
    n++;
  }
  return sum.map((s) => s / n);
}

/** The CLI's build path for a training file of the model-baseline topology (features amount and country). */
async function build(file: string): Promise<Baseline> {
  const spec = modelSpec({ labels: null });
  const topology = modelBaselineTopology(spec);
  const table = await readDataFile(file, categoricalColumnNames(topology));
  const reference = fileReferenceRows(table, topology);
  return buildBaseline(reference.columns, {
    name: 'embedding-formats',
    source: { description: file, fingerprint: 'sha256:0', rows: table.rows },
    chunks: planChunks(topology.window, reference),
    now: () => new Date('2026-01-01T00:00:00Z'),
    embeddings: fileEmbeddingColumns(table, spec),
  });
}

function expectCentroid(baseline: Baseline, expected: readonly number[]): void {
  const section = baseline.embeddings!.query!;
  expect(section.dimension).toBe(DIMENSION);
  expect(section.count).toBe(ROWS - 1);
  const centroid = EmbeddingSummary.deserialize(Buffer.from(section.summary, 'base64')).centroid();
  expect(centroid).toHaveLength(DIMENSION);
  expected.forEach((m, j) => {
    expect(centroid[j], `component ${j}`).toBeCloseTo(m, 12);
  });
  expect(section.bandwidth).toBeGreaterThan(0);
}

describe('an embedding reference from a vector column', () => {
  it('reads NDJSON arrays of numbers', async () => {
    const file = join(dir, 'training.ndjson');
    const lines = VECTORS.map((v, i) =>
      JSON.stringify({
        event_time: EVENT_TIME[i],
        amount: AMOUNT[i],
        country: COUNTRY[i],
        embedding: v,
      }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    expectCentroid(await build(file), mean(VECTORS));
  });

  it('reads a Parquet list of doubles', async () => {
    const file = join(dir, 'training.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'event_time', data: EVENT_TIME.map(BigInt) },
        { name: 'amount', data: AMOUNT },
        { name: 'country', data: COUNTRY },
        { name: 'embedding', data: VECTORS },
      ],
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'event_time', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'amount', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'country', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'embedding', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      ],
    });
    expectCentroid(await build(file), mean(VECTORS));
  });

  it('reads an Arrow list of float32, whose mean is over the float32 values', async () => {
    const file = join(dir, 'training-list.arrow');
    const table = new Table({
      event_time: vectorFromArray(new Float64Array(EVENT_TIME)),
      amount: vectorFromArray(new Float64Array(AMOUNT)),
      country: vectorFromArray(COUNTRY),
      embedding: vectorFromArray(VECTORS, new List(new Field('item', new Float32(), false))),
    });
    writeFileSync(file, tableToIPC(table, 'file'));
    const rounded = VECTORS.map((v) => (v === null ? null : v.map(Math.fround)));
    // The float32 rounding moves the mean by more than the 12 digits compared: the reader keeps float32 values.
    expect(Math.abs(mean(rounded)[0]! - mean(VECTORS)[0]!)).toBeGreaterThan(1e-12);
    expectCentroid(await build(file), mean(rounded));
  });

  it('reads an Arrow fixed-size list of doubles', async () => {
    const file = join(dir, 'training-fixed.arrow');
    const table = new Table({
      event_time: vectorFromArray(new Float64Array(EVENT_TIME)),
      amount: vectorFromArray(new Float64Array(AMOUNT)),
      country: vectorFromArray(COUNTRY),
      embedding: vectorFromArray(
        VECTORS,
        new FixedSizeList(DIMENSION, new Field('item', new Float64(), false)),
      ),
    });
    writeFileSync(file, tableToIPC(table, 'file'));
    expectCentroid(await build(file), mean(VECTORS));
  });
});
