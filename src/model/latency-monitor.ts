import {
  type LatencyLevels,
  resolveLatencyLevels,
  summarizeLatency,
} from '../core/latency/latency-levels.ts';
import { LatencySketch } from '../core/latency/latency-sketch.ts';
import { optionError } from '../errors.ts';
import { MODEL_ROLES, type ModelRole } from '../topology/model-spec.ts';
import type { PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPartContext, PartOutput } from './monitor-part.ts';
import { PredictionWindowPart } from './prediction-window-part.ts';

/** The figure name of a latency quantile: 0.95 → `p95_ms`, 0.999 → `p99.9_ms`. */
export function latencyFigureName(quantile: number): string {
  return `p${Number((quantile * 100).toFixed(6))}_ms`;
}

/** One (version, role) of one window. */
interface LatencyGroup {
  readonly modelName: string;
  readonly sketch: LatencySketch;
  /** Predictions of the group without a latency. */
  missing: number;
}

/** Per window: version → one group per role, indexed like MODEL_ROLES. */
type LatencyWindow = Map<string, (LatencyGroup | undefined)[]>;

function roleIndex(role: ModelRole): number {
  return role === 'live' ? 0 : role === 'shadow' ? 1 : 2;
}

function formatMs(ms: number): string {
  return `${Number(ms.toPrecision(4))} ms`;
}

/**
 * Serving latency per tumbling window of prediction time and per (model version, role): a LatencySketch of the
 * predictions' latencies (null latencies are counted as missing, never as 0), its p50 / p95 / p99 and the configured
 * quantile, judged against warningMs / criticalMs once the group has minCount latencies (latency-levels.ts).
 *
 * A window [s, e) closes when the predictions watermark reaches e + graceMs, or on flush(); a prediction whose window
 * has closed is counted late. Every role is monitored: a slow shadow is worth knowing before it is promoted.
 */
export class LatencyMonitor extends PredictionWindowPart<LatencyWindow> {
  readonly #monitor: string;
  readonly #relativeAccuracy: number;
  readonly #levels: LatencyLevels;
  readonly #judgedFigure: string;

  constructor(context: MonitorPartContext) {
    const spec = context.spec.latency;
    if (spec === null) throw optionError('model.latency', 'must be set for a latency monitor', spec);
    super(context.spec.windowMs, context.spec.graceMs);
    this.#monitor = context.topology.name;
    // Validated here, at the part's boundary, so a bad topology fails before any record is read.
    this.#relativeAccuracy = LatencySketch.create({
      relativeAccuracy: spec.relativeAccuracy,
    }).relativeAccuracy;
    this.#levels = resolveLatencyLevels({
      quantile: spec.quantile,
      warningMs: spec.warningMs,
      criticalMs: spec.criticalMs,
      minCount: spec.minCount,
    });
    this.#judgedFigure = latencyFigureName(this.#levels.quantile);
  }

  prediction(record: PredictionRecord): void {
    const window = this.windows.openAt(this.windows.startOf(record.time), record);
    if (window === undefined) return;
    let roles = window.get(record.modelVersion);
    if (roles === undefined) {
      roles = [undefined, undefined, undefined];
      window.set(record.modelVersion, roles);
    }
    const r = roleIndex(record.role);
    let group = roles[r];
    if (group === undefined) {
      group = {
        modelName: record.modelName,
        sketch: LatencySketch.create({ relativeAccuracy: this.#relativeAccuracy }),
        missing: 0,
      };
      roles[r] = group;
    }
    if (record.latencyMs === null) group.missing++;
    else group.sketch.add(record.latencyMs);
  }

  protected openWindow(): LatencyWindow {
    return new Map();
  }

  protected closeWindows(closed: [number, LatencyWindow][]): PartOutput {
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (const [start, window] of closed) {
      const out: { report: ModelWindowReport; finding: ModelFinding | null }[] = [];
      for (const [version, roles] of window) {
        const present = roles.filter((g) => g !== undefined).length;
        roles.forEach((group, r) => {
          if (group === undefined) return;
          const role = MODEL_ROLES[r]!;
          // A version serving under two roles in one window (a promotion mid-window) keeps its reports apart.
          const subject = present > 1 ? `${version}:${role}` : version;
          out.push(this.#judge(start, version, role, subject, group));
        });
      }
      out.sort((a, b) =>
        a.report.subject < b.report.subject ? -1 : a.report.subject > b.report.subject ? 1 : 0,
      );
      for (const o of out) {
        reports.push(o.report);
        if (o.finding !== null) findings.push(o.finding);
      }
    }
    return { reports, findings };
  }

  #judge(
    start: number,
    version: string,
    role: ModelRole,
    subject: string,
    group: LatencyGroup,
  ): { report: ModelWindowReport; finding: ModelFinding | null } {
    const end = start + this.windows.windowMs;
    const s = summarizeLatency(group.sketch, this.#levels);
    const figures: Record<string, number> = {};
    const put = (name: string, value: number) => {
      if (Number.isFinite(value)) figures[name] = value;
    };
    put('p50_ms', s.p50);
    put('p95_ms', s.p95);
    put('p99_ms', s.p99);
    put(this.#judgedFigure, s.judged);
    put('relative_accuracy', s.relativeAccuracy);
    const report: ModelWindowReport = {
      monitor: this.#monitor,
      kind: 'latency',
      modelName: group.modelName,
      modelVersion: version,
      subject,
      windowStart: start,
      windowEnd: end,
      figures,
      counts: { rows: s.count, missing: group.missing, rejected: s.rejected },
    };
    if (s.level !== 'warning' && s.level !== 'critical') return { report, finding: null };
    const { warningMs, criticalMs } = this.#levels;
    const threshold = s.level === 'critical' ? criticalMs : warningMs;
    const q = this.#judgedFigure.slice(0, -3);
    const finding: ModelFinding = {
      monitor: this.#monitor,
      kind: 'latency',
      severity: s.level,
      modelName: group.modelName,
      modelVersion: version,
      role,
      comparedVersion: null,
      subject,
      segment: null,
      windowStart: start,
      windowEnd: end,
      metric: this.#judgedFigure,
      value: s.judged,
      reference: null,
      threshold,
      warningLevel: warningMs,
      criticalLevel: criticalMs,
      rows: s.count,
      message:
        `${q} serving latency of ${group.modelName} ${version} (${role}) was ${formatMs(s.judged)} over ` +
        `${s.count} predictions, ${s.level === 'critical' ? 'above' : 'at or above'} the ${s.level} level of ` +
        `${formatMs(threshold)}; check the serving path of this version.`,
      evidence: {
        p50_ms: String(s.p50),
        p99_ms: String(s.p99),
        [this.#judgedFigure]: String(s.judged),
        error_bound: `each quantile within ±${s.relativeAccuracy * 100}% of the true order statistic${
          s.guaranteed ? '' : ' (not guaranteed: the rank lies in a collapsed bucket)'
        }`,
        rows: String(s.count),
        missing: String(group.missing),
        levels: `warning ${warningMs} ms, critical above ${criticalMs} ms`,
      },
    };
    return { report, finding };
  }
}
