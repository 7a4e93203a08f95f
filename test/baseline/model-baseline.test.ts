import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Baseline } from '../../src/baseline/baseline-types.ts';
import { buildBaseline } from '../../src/baseline/build-baseline.ts';
import { type EmbeddingColumn, fileEmbeddingColumns } from '../../src/baseline/embedding-reference.ts';
import { categoricalColumnNames, fileReferenceRows } from '../../src/baseline/file-reference.ts';
import { checkBaseline, loadBaseline } from '../../src/baseline/load-baseline.ts';
import { filePerformanceReference } from '../../src/baseline/model-reference.ts';
import { planChunks } from '../../src/baseline/reference-chunks.ts';
import { describeBaseline } from '../../src/cli/commands/baseline-command.ts';
import { embeddingReferenceChunkStatistics } from '../../src/core/embedding/embedding-drift.ts';
import { EmbeddingSummary } from '../../src/core/embedding/embedding-summary.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import { parseCsv } from '../../src/io/read-csv.ts';
import type { ModelSpec } from '../../src/topology/model-spec.ts';
import { modelBaselineTopology, modelSpec } from './model-baseline-topology.ts';

const FIXTURE = new URL('../fixtures/baseline-model/', import.meta.url);
const CSV = readFileSync(new URL('training.csv', FIXTURE), 'utf8');
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', FIXTURE), 'utf8')) as {
  binary: { rows: number; metrics: Record<string, number> };
  embedding: { dimension: number; count: number; mean: number[] };
};
const NOW = () => new Date('2026-01-01T00:00:00Z');
const SOURCE = { description: 'training.csv', fingerprint: 'sha256:0', rows: 240 };
const dir = mkdtempSync(join(tmpdir(), 'dw-model-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI's build path for the fixture (baseline-command.ts), without the file system. */
function build(spec: ModelSpec = modelSpec(), csv = CSV, chunkRows?: number): Baseline {
  const topology = modelBaselineTopology(spec);
  const table = parseCsv(csv, 'training.csv', categoricalColumnNames(topology));
  const reference = fileReferenceRows(table, topology);
  const performance = filePerformanceReference(table, spec).performance;
  return buildBaseline(reference.columns, {
    name: 'baseline-test',
    source: { ...SOURCE, rows: table.rows },
    chunks: planChunks(topology.window, reference, chunkRows),
    now: NOW,
    ...(performance === undefined ? {} : { performance }),
    embeddings: fileEmbeddingColumns(table, spec),
  });
}

function thrown(f: () => unknown): DriftwatchError {
  try {
    f();
  } catch (error) {
    if (error instanceof DriftwatchError) return error;
    throw error;
  }
  throw new Error('expected a DriftwatchError');
}

describe('a baseline built with a model section', () => {
  const baseline = build();

  it('holds the performance section with scikit-learn values', () => {
    expect(baseline.performance?.rows).toBe(EXPECTED.binary.rows);
    for (const [metric, value] of Object.entries(EXPECTED.binary.metrics)) {
      expect(baseline.performance!.metrics[metric as 'accuracy'], metric).toBeCloseTo(value, 12);
    }
  });

  it('holds an embedding summary that round-trips, whose centroid is the column mean', () => {
    const e = baseline.embeddings!.query!;
    expect(e.dimension).toBe(EXPECTED.embedding.dimension);
    expect(e.count).toBe(EXPECTED.embedding.count);
    const summary = EmbeddingSummary.deserialize(Buffer.from(e.summary, 'base64'));
    expect(summary.count).toBe(240);
    expect(Buffer.from(summary.serialize()).toString('base64')).toBe(e.summary);
    const centroid = summary.centroid();
    EXPECTED.embedding.mean.forEach((mean, j) => {
      expect(centroid[j]).toBeCloseTo(mean, 12);
    });
    expect(e.bandwidth).toBeGreaterThan(0);
  });

  it("calibrates on the features' time chunks, one value per chunk and test", () => {
    const c = baseline.embeddings!.query!.calibration!;
    // 240 rows one second apart from a minute boundary: 4 one-minute chunks, as the features'.
    expect(baseline.features.amount!.calibration).toMatchObject({ chunkBy: 'time', chunks: 4 });
    expect(c.chunkSize).toBe(60_000);
    expect(c.chunks).toBe(4);
    expect(Object.keys(c.statistics)).toEqual(['centroid_cosine', 'mmd', 'projection_ks']);
    for (const values of Object.values(c.statistics)) expect(values).toHaveLength(4);
    for (const p of [...c.statistics.mmd!, ...c.statistics.projection_ks!]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('measures each chunk as embeddingReferenceChunkStatistics does for consecutive rows', () => {
    // Row chunks of 60 rows are the time chunks here; keys are the prediction ids (request_id).
    const table = parseCsv(CSV, 'training.csv');
    const [column] = fileEmbeddingColumns(table, modelSpec());
    expect(column!.keys.slice(0, 2)).toEqual(['req-0000', 'req-0001']);
    const direct = embeddingReferenceChunkStatistics(column!.vectors, 240, 4, {
      chunkSize: 60,
      keys: column!.keys,
      projections: 8,
    });
    const c = baseline.embeddings!.query!.calibration!;
    expect(c.statistics.centroid_cosine).toEqual([...direct.cosineDistance]);
    expect(c.statistics.mmd).toEqual([...direct.mmdPValue]);
    expect(c.statistics.projection_ks).toEqual([...direct.projectionKsPValue!]);
    expect(baseline.embeddings!.query!.bandwidth).toBe(direct.reference.bandwidth);
  });

  it('is deterministic, and its version changes with the model sections', () => {
    expect(build().version).toBe(baseline.version);
    const noModel = build(modelSpec({ labels: null, embeddings: [] }));
    expect(noModel.performance).toBeUndefined();
    expect(noModel.embeddings).toBeUndefined();
    const noEmbeddings = build(modelSpec({ embeddings: [] }));
    const fewerMetrics = build(
      modelSpec({ performance: { ...modelSpec().performance, metrics: ['accuracy'] } }),
    );
    const versions = new Set([baseline, noModel, noEmbeddings, fewerMetrics].map((b) => b.version));
    expect(versions.size).toBe(4);
    // Features and source alone decide the version of a baseline without model sections.
    const features = buildBaseline(
      fileReferenceRows(parseCsv(CSV, 'training.csv'), modelBaselineTopology()).columns,
      {
        name: 'baseline-test',
        source: SOURCE,
        chunks: { by: 'rows', size: 60 },
        now: NOW,
      },
    );
    expect(build(modelSpec({ labels: null, embeddings: [] }), CSV, 60).version).toBe(features.version);
  });

  it('loads back from its file', async () => {
    const file = join(dir, 'model.baseline.json');
    writeFileSync(file, JSON.stringify(baseline));
    const loaded = await loadBaseline(file);
    expect(loaded.performance).toEqual(baseline.performance);
    expect(loaded.embeddings).toEqual(baseline.embeddings);
  });

  it('is printed by baseline show', () => {
    const text = describeBaseline(baseline, 'model.baseline.json');
    const m = EXPECTED.binary.metrics;
    expect(text).toContain(
      `  performance (binary, 216 labelled rows): accuracy ${Number(m.accuracy!.toPrecision(6))}, precision `,
    );
    expect(text).toContain(`roc_auc ${Number(m.roc_auc!.toPrecision(6))}`);
    expect(text).toMatch(
      /\n {2}embeddings:\n {4}query {2}dimension 4, 240 vectors, bandwidth [0-9.]+, calibration over 4 chunks \(centroid_cosine, mmd, projection_ks\)\n$/,
    );
    expect(describeBaseline(build(modelSpec({ labels: null, embeddings: [] })), 'x')).not.toContain(
      'performance',
    );
  });
});

describe('embedding columns', () => {
  const spec = modelSpec();
  const csv = (cells: string[]) =>
    `event_time,amount,country,embedding\n${cells.map((c, i) => `${i * 1000},1,DE,${c}`).join('\n')}\n`;

  it('skip empty cells, key rows by index without a prediction-id column, and count the rest', () => {
    const cells = ['"[1,0,0,0]"', '', '"[0,1,0,0]"', '"[0,0,1,0]"', '"[1,1,1,1]"'];
    const [column] = fileEmbeddingColumns(parseCsv(csv(cells), 'e.csv'), spec) as [EmbeddingColumn];
    expect(column.count).toBe(4);
    expect([...column.vectorOf]).toEqual([0, -1, 1, 2, 3]);
    expect(column.keys).toEqual(['0', '2', '3', '4']);
    expect([...column.vectors.subarray(12, 16)]).toEqual([1, 1, 1, 1]);
  });

  it('reject a vector of the wrong length or a cell that is not an array, naming row and column', () => {
    const short = thrown(() =>
      fileEmbeddingColumns(parseCsv(csv(['"[1,0,0,0]"', '"[1,2,3]"']), 'e.csv'), spec),
    );
    expect(short.code).toBe(ErrorCodes.INPUT_FILE);
    expect(short.message).toBe(
      'e.csv: row 2: column "embedding" (embedding query) has 3 numbers; expected a JSON array of 4 numbers',
    );
    const text = thrown(() => fileEmbeddingColumns(parseCsv(csv(['"[1,0,0,""x""]"']), 'e.csv'), spec));
    expect(text.message).toContain('row 1: column "embedding" (embedding query) has "x" at position 3');
    const notJson = thrown(() => fileEmbeddingColumns(parseCsv(csv(['oops']), 'e.csv'), spec));
    expect(notJson.message).toContain('row 1: column "embedding" (embedding query) holds "oops", not JSON');
    const missing = thrown(() => fileEmbeddingColumns(parseCsv('amount\n1\n', 'e.csv'), spec));
    expect(missing.message).toBe(
      'e.csv: no column for embedding "query" (looked for request.embedding or embedding)',
    );
  });

  it('need two distinct vectors for a bandwidth', () => {
    const one = ['"[1,0,0,0]"', '"[1,0,0,0]"', '"[1,0,0,0]"'];
    const error = thrown(() => build(spec, csv(one)));
    expect(error.code).toBe(ErrorCodes.BASELINE_INVALID);
    expect(error.message).toMatch(/^embedding query: no MMD bandwidth from 3 reference vectors/);
  });
});

describe('checkBaseline on the model sections', () => {
  const good = build();
  const withChange = (change: (b: Record<string, unknown>) => void) => {
    const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
    change(copy);
    return thrown(() => checkBaseline(copy, 'b.json'));
  };
  const embedding = (b: Record<string, unknown>) =>
    (b.embeddings as Record<string, Record<string, unknown>>).query!;
  const performance = (b: Record<string, unknown>) => b.performance as Record<string, unknown>;

  it('accepts the built baseline', () => {
    expect(checkBaseline(JSON.parse(JSON.stringify(good)), 'b.json').embeddings).toEqual(good.embeddings);
  });

  it.each([
    [
      'a corrupted summary',
      (b: Record<string, unknown>) => {
        const s = embedding(b).summary as string;
        embedding(b).summary = `${s.slice(0, 40)}AAAA${s.slice(44)}`;
      },
      /^b\.json: embeddings\.query\.summary is not an embedding summary/,
    ],
    [
      'a truncated summary',
      (b: Record<string, unknown>) => {
        embedding(b).summary = (embedding(b).summary as string).slice(0, 400);
      },
      /^b\.json: embeddings\.query\.summary is not an embedding summary/,
    ],
    [
      'a summary that is not base64',
      (b: Record<string, unknown>) => {
        embedding(b).summary = 'not base64!';
      },
      /^b\.json: embeddings\.query\.summary must be a base64 string$/,
    ],
    [
      "a dimension other than the summary's",
      (b: Record<string, unknown>) => {
        embedding(b).dimension = 8;
      },
      /^b\.json: embeddings\.query\.summary has dimension 4, the embedding 8$/,
    ],
    [
      "a count other than the summary's",
      (b: Record<string, unknown>) => {
        embedding(b).count = 239;
      },
      /^b\.json: embeddings\.query\.summary holds 240 vectors, count says 239$/,
    ],
    [
      'a bandwidth of 0',
      (b: Record<string, unknown>) => {
        embedding(b).bandwidth = 0;
      },
      /bandwidth must be a positive finite number$/,
    ],
    [
      'a calibration series of the wrong length',
      (b: Record<string, unknown>) => {
        (embedding(b).calibration as { statistics: { mmd: number[] } }).statistics.mmd.pop();
      },
      /calibration\.statistics\.mmd must be 4 p-values in 0\.\.1, one per chunk$/,
    ],
    [
      'an unknown embedding test',
      (b: Record<string, unknown>) => {
        (embedding(b).calibration as { statistics: Record<string, number[]> }).statistics.psi = [0, 0, 0, 0];
      },
      /calibration\.statistics\.psi: not an embedding test/,
    ],
    [
      'an unknown task',
      (b: Record<string, unknown>) => {
        performance(b).task = 'ranking';
      },
      /^b\.json: performance\.task must be "binary", "multiclass" or "regression", got "ranking"$/,
    ],
    [
      'a regression metric of a classifier',
      (b: Record<string, unknown>) => {
        (performance(b).metrics as Record<string, number>).mae = 1;
      },
      /^b\.json: performance\.metrics\.mae is not a metric of a binary model$/,
    ],
    [
      'a metric that is not a number',
      (b: Record<string, unknown>) => {
        (performance(b).metrics as Record<string, unknown>).accuracy = null;
      },
      /^b\.json: performance\.metrics\.accuracy must be a finite non-negative number$/,
    ],
    [
      'no rows',
      (b: Record<string, unknown>) => {
        performance(b).rows = 0;
      },
      /^b\.json: performance\.rows must be a positive integer$/,
    ],
  ])('rejects %s', (_, change, message) => {
    const error = withChange(change);
    expect(error.code).toBe(ErrorCodes.BASELINE_INVALID);
    expect(error.message).toMatch(message);
  });
});
