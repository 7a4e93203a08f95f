import type { PredictionRecord } from './model-records.ts';
import type { MonitorPart, PartOutput, StreamWatermarks } from './monitor-part.ts';
import { TumblingPartWindows } from './tumbling-part-windows.ts';

/**
 * A monitor part fed only predictions, over tumbling windows of prediction time (latency, error rate, embeddings,
 * version skew): the windows close on the predictions watermark, and the part holds nothing of the other streams.
 * A subclass says what a window holds (`openWindow`, called once per window at its first record), adds records in
 * `prediction`, and judges the closed windows in `closeWindows`.
 */
export abstract class PredictionWindowPart<W> implements MonitorPart {
  protected readonly windows: TumblingPartWindows<W, PredictionRecord>;

  constructor(windowMs: number, graceMs: number) {
    this.windows = new TumblingPartWindows(windowMs, graceMs, (record, start) =>
      this.openWindow(record, start),
    );
  }

  get late(): number {
    return this.windows.late;
  }

  abstract prediction(record: PredictionRecord): void;

  advance(watermarks: StreamWatermarks): PartOutput {
    return this.closeWindows(this.windows.advance(watermarks.predictions));
  }

  flush(): PartOutput {
    return this.closeWindows(this.windows.flush());
  }

  doneBefore(): StreamWatermarks {
    return {
      predictions: this.windows.doneBefore(),
      labels: Number.POSITIVE_INFINITY,
      offline: Number.POSITIVE_INFINITY,
    };
  }

  /** The state of a new window, from its first record. */
  protected abstract openWindow(record: PredictionRecord, start: number): W;

  /** Reports and findings of the windows that closed, in order of start. */
  protected abstract closeWindows(closed: [start: number, window: W][]): PartOutput;
}
