import type { BaselineEmbedding } from '../baseline/baseline-types.ts';
import { calibrateLevels, type LevelRule, severityOf } from '../core/drift/thresholds.ts';
import {
  type EmbeddingDriftResult,
  type EmbeddingReference,
  embeddingDrift,
  prepareEmbeddingReference,
} from '../core/embedding/embedding-drift.ts';
import { EmbeddingSummary } from '../core/embedding/embedding-summary.ts';
import { DriftwatchError, ErrorCodes, optionError } from '../errors.ts';
import type { EmbeddingSpec, EmbeddingTestName } from '../topology/model-spec.ts';
import type { PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPartContext, PartOutput } from './monitor-part.ts';
import { PredictionWindowPart } from './prediction-window-part.ts';

/** The figure each test is judged on (the finding's metric). */
export const EMBEDDING_TEST_FIGURE: Readonly<Record<EmbeddingTestName, string>> = {
  centroid_cosine: 'cosine_distance',
  mmd: 'mmd_p_value',
  projection_ks: 'projection_ks_p_value',
};

/**
 * Levels of one embedding test, on the scale they are compared on. `negated`: the levels apply to −p (calibrated
 * levels of a p-value test, see EmbeddingMonitor); reported levels are then −level, i.e. p-levels.
 */
export interface EmbeddingLevels {
  readonly rule: LevelRule;
  readonly warning: number | null;
  readonly critical: number | null;
  readonly negated: boolean;
  /** `fixed`, or `calibrated:<method> on <n> chunks (mean m, std s)`. */
  readonly source: string;
}

/**
 * Resolves an embedding test's ThresholdSpec. Fixed: centroid_cosine fires when the distance >= level (levels in
 * (0, 2], warning <= critical); mmd and projection_ks fire when the p-value < level (p-levels in (0, 1), critical the
 * smaller). Calibrated: as feature tests (resolveLevels → calibrateLevels, `value-above`), on the baseline's chunk
 * statistics of the test, which for mmd and projection_ks are p-values: those are calibrated as −p, so a level is a
 * low tail of the chunks' p-values (std: p <= mean − k·std; quantile q: p <= the (1 − q) quantile).
 */
export function resolveEmbeddingLevels(
  name: string,
  spec: EmbeddingSpec,
  reference: BaselineEmbedding,
): EmbeddingLevels {
  const what = `embedding ${name}, test ${spec.test}`;
  const thresholds = spec.thresholds;
  const pTest = spec.test !== 'centroid_cosine';
  if (thresholds.kind === 'fixed') {
    const { warning, critical } = thresholds;
    const [low, high] = pTest ? [0, 1] : [0, 2];
    for (const [level, x] of [
      ['warning', warning],
      ['critical', critical],
    ] as const) {
      if (x === null) continue;
      if (!(typeof x === 'number' && x > low && (pTest ? x < high : x <= high))) {
        throw optionError(
          `${what}: ${level} level`,
          pTest ? 'must be a p-level in (0, 1)' : 'must be a distance in (0, 2]',
          x,
        );
      }
    }
    if (warning !== null && critical !== null && (pTest ? warning < critical : warning > critical)) {
      throw optionError(
        `${what}: critical level`,
        pTest
          ? `must not exceed the warning p-level (${warning}); the test fires when p < level`
          : `must not be below the warning level (${warning}); the test fires when the distance >= level`,
        critical,
      );
    }
    return { rule: pTest ? 'p-below' : 'value-above', warning, critical, negated: false, source: 'fixed' };
  }
  const chunks = reference.calibration?.statistics[spec.test];
  if (chunks === undefined) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${what}: calibrated ${spec.test} levels need the baseline's reference-chunk statistics of ${spec.test}, and it ` +
        'has none; rebuild the baseline with `driftwatch baseline build` so it stores them',
      { embedding: name, test: spec.test, method: thresholds.method },
    );
  }
  const c = calibrateLevels(pTest ? chunks.map((p) => -p) : chunks, thresholds, what);
  return {
    rule: 'value-above',
    warning: c.warning,
    critical: c.critical,
    negated: pTest,
    source: `calibrated:${thresholds.method} on ${c.chunks} chunks (mean ${pTest ? -c.mean : c.mean}, std ${c.std})`,
  };
}

interface Tracked {
  readonly name: string;
  readonly index: number;
  readonly spec: EmbeddingSpec;
  readonly reference: EmbeddingReference;
  readonly sampleSize: number;
  readonly levels: EmbeddingLevels;
}

interface EmbeddingWindow {
  readonly modelName: string;
  readonly versions: Set<string>;
  /** One summary per tracked embedding, created with its first vector. */
  readonly summaries: (EmbeddingSummary | undefined)[];
  /** Live predictions without a vector, and with one of the wrong length, per tracked embedding. */
  readonly missing: number[];
  readonly wrongDimension: number[];
}

/** An embedding spec with its prepared reference and levels; a missing or unusable reference throws. */
function trackEmbedding(spec: EmbeddingSpec, index: number, stored: BaselineEmbedding | undefined): Tracked {
  const name = spec.name;
  const rebuild = 'rebuild the baseline with `driftwatch baseline build`';
  if (stored === undefined) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `the baseline has no reference for embedding ${name}; ${rebuild} for this topology so it summarises the ` +
        `field ${spec.field}`,
      { embedding: name },
    );
  }
  let summary: EmbeddingSummary;
  let reference: EmbeddingReference;
  try {
    summary = EmbeddingSummary.deserialize(new Uint8Array(Buffer.from(stored.summary, 'base64')));
    reference = prepareEmbeddingReference(summary, { bandwidth: stored.bandwidth });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `the baseline's reference of embedding ${name} is unusable (${reason}); ${rebuild}`,
      { embedding: name },
      { cause: error },
    );
  }
  if (summary.dimension !== spec.dimension || stored.dimension !== spec.dimension) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `embedding ${name} has dimension ${spec.dimension} in the topology but ${stored.dimension} in the baseline ` +
        `(summary ${summary.dimension}); ${rebuild}`,
      { embedding: name, dimension: spec.dimension, baseline: stored.dimension },
    );
  }
  return {
    name,
    index,
    spec,
    reference,
    sampleSize: summary.sampleSize,
    levels: resolveEmbeddingLevels(name, spec, stored),
  };
}

function versionsOf(versions: Set<string>): string {
  return [...versions].sort().join(',');
}

function show(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/**
 * Embedding drift of the live version's predictions per tumbling window of prediction time, one subject per
 * embedding spec: an EmbeddingSummary of the window's vectors (row key = prediction id, so the sample is a function of
 * the predictions, not of their order) compared at close with the baseline's reference summary (embeddingDrift): the
 * centroid cosine distance, the linear-time MMD² and its p-value (with the bandwidth stored in the baseline), and, for
 * projection_ks, the Bonferroni p-value of KS tests on `projections` random projections. Each spec is judged on its
 * test's figure (EMBEDDING_TEST_FIGURE, levels from resolveEmbeddingLevels); a figure that could not be computed (too
 * few rows for the MMD, a zero centroid) is left out and not judged.
 *
 * The reference is prepared once, in the constructor: a missing or unusable reference throws DW_BASELINE_INVALID.
 * Windows close when the predictions watermark reaches end + graceMs, or on flush(); a prediction of a closed window
 * is counted late.
 */
export class EmbeddingMonitor extends PredictionWindowPart<EmbeddingWindow> {
  readonly #monitor: string;
  readonly #tracked: Tracked[];
  /** One reused key array: a vector is added with its prediction id without allocating. */
  readonly #key: string[] = [''];

  constructor(context: MonitorPartContext) {
    super(context.spec.windowMs, context.spec.graceMs);
    this.#monitor = context.topology.name;
    const stored = context.baseline.embeddings ?? {};
    this.#tracked = context.spec.embeddings.map((spec, index) =>
      trackEmbedding(spec, index, Object.hasOwn(stored, spec.name) ? stored[spec.name] : undefined),
    );
  }

  prediction(record: PredictionRecord): void {
    if (record.role !== 'live') return;
    const window = this.windows.openAt(this.windows.startOf(record.time), record);
    if (window === undefined) return;
    window.versions.add(record.modelVersion);
    this.#key[0] = record.predictionId;
    for (let i = 0; i < this.#tracked.length; i++) {
      const t = this.#tracked[i]!;
      const vector = record.embeddings[t.index] ?? null;
      if (vector === null) {
        window.missing[i]!++;
        continue;
      }
      if (vector.length !== t.spec.dimension) {
        window.wrongDimension[i]!++;
        continue;
      }
      let summary = window.summaries[i];
      if (summary === undefined) {
        summary = EmbeddingSummary.create({ dimension: t.spec.dimension, sampleSize: t.sampleSize });
        window.summaries[i] = summary;
      }
      summary.add(vector, 1, this.#key);
    }
  }

  protected openWindow(record: PredictionRecord): EmbeddingWindow {
    const n = this.#tracked.length;
    return {
      modelName: record.modelName,
      versions: new Set(),
      summaries: new Array(n).fill(undefined),
      missing: new Array(n).fill(0),
      wrongDimension: new Array(n).fill(0),
    };
  }

  protected closeWindows(closed: [number, EmbeddingWindow][]): PartOutput {
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    const order = this.#tracked
      .map((_, i) => i)
      .sort((a, b) => (this.#tracked[a]!.name < this.#tracked[b]!.name ? -1 : 1));
    for (const [start, window] of closed) {
      for (const i of order) this.#judge(start, window, i, reports, findings);
    }
    return { reports, findings };
  }

  #judge(
    start: number,
    w: EmbeddingWindow,
    i: number,
    reports: ModelWindowReport[],
    findings: ModelFinding[],
  ): void {
    const t = this.#tracked[i]!;
    const end = start + this.windows.windowMs;
    const version = versionsOf(w.versions);
    const summary = w.summaries[i];
    const drift: EmbeddingDriftResult | null =
      summary === undefined || summary.count === 0
        ? null
        : embeddingDrift(t.reference, summary, {
            projections: t.spec.test === 'projection_ks' ? t.spec.projections : 0,
          });
    const figures: Record<string, number> = {};
    const put = (name: string, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) figures[name] = value;
    };
    put('cosine_distance', drift?.cosineDistance);
    put('mmd2', drift?.mmd?.statistic);
    put('mmd_p_value', drift?.mmd?.pValue);
    put('projection_ks_p_value', drift?.projectionKs?.pValue);
    const rows = summary?.count ?? 0;
    const sampleRows = drift?.currentSampleRows ?? 0;
    reports.push({
      monitor: this.#monitor,
      kind: 'embedding',
      modelName: w.modelName,
      modelVersion: version,
      subject: t.name,
      windowStart: start,
      windowEnd: end,
      figures,
      counts: {
        rows,
        sample_rows: sampleRows,
        missing: w.missing[i]!,
        invalid: (summary?.invalidCount ?? 0) + w.wrongDimension[i]!,
      },
    });
    const metric = EMBEDDING_TEST_FIGURE[t.spec.test];
    const value = figures[metric];
    if (value === undefined) return;
    const l = t.levels;
    const severity =
      l.rule === 'p-below' ? severityOf(l, value, value) : severityOf(l, l.negated ? -value : value, null);
    if (severity === null) return;
    const report = (x: number | null) => (x === null ? null : l.negated ? -x : x);
    const threshold = report(severity === 'critical' ? l.critical : l.warning)!;
    const isP = t.spec.test !== 'centroid_cosine';
    const evidence: Record<string, string> = {};
    for (const [k, v] of Object.entries(figures)) evidence[k] = String(v);
    evidence.rows = String(rows);
    evidence.sample_rows = String(sampleRows);
    evidence.reference_rows = String(t.reference.count);
    evidence.bandwidth = String(t.reference.bandwidth);
    evidence.levels = l.source;
    if (drift?.projectionKs) evidence.projection_ks_max_statistic = String(drift.projectionKs.maxStatistic);
    findings.push({
      monitor: this.#monitor,
      kind: 'embedding',
      severity,
      modelName: w.modelName,
      modelVersion: version,
      role: 'live',
      comparedVersion: null,
      subject: t.name,
      segment: null,
      windowStart: start,
      windowEnd: end,
      metric,
      value,
      reference: null,
      threshold,
      warningLevel: report(l.warning),
      criticalLevel: report(l.critical),
      rows,
      message:
        `Embedding ${t.name} of ${w.modelName} ${version} moved away from the baseline over ${rows} vectors: ` +
        `${metric} ${show(value)} ${isP ? (l.negated ? 'at or below' : 'below') : 'at or above'} the ${severity} level ${show(threshold)}; ` +
        'check the encoder version and the mix of inputs.',
      evidence,
    });
  }
}
