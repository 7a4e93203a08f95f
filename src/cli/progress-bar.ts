/**
 * A progress bar on stderr for long inputs (baseline builds, backtests). It redraws at most every `intervalMs` so a
 * hot loop can call `update` per batch; it draws only on a TTY (and never under CI), so logs and pipes stay clean.
 */
export interface ProgressBarOptions {
  /** What is being counted, e.g. "rows" or "events". */
  readonly unit: string;
  /** The total when known (bytes or rows); unknown totals show a running count and rate only. */
  readonly total?: number;
  readonly label?: string;
  /** Where to draw; defaults to process.stderr. */
  readonly stream?: NodeJS.WriteStream;
  /** Force drawing on or off (default: the stream is a TTY and CI is not set). */
  readonly enabled?: boolean;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const WIDTH = 28;

export class ProgressBar {
  readonly #options: ProgressBarOptions;
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #started: number;
  readonly #now: () => number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #done = 0;
  #total: number | undefined;

  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#stream = options.stream ?? process.stderr;
    this.#enabled = options.enabled ?? (this.#stream.isTTY === true && !process.env.CI);
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    this.#total = options.total;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Sets how much is done so far (absolute, not an increment) and, if it became known, the total. */
  update(done: number, total?: number): void {
    this.#done = done;
    if (total !== undefined) this.#total = total;
    if (!this.#enabled) return;
    const now = this.#now();
    if (now - this.#lastDraw < (this.#options.intervalMs ?? 100)) return;
    this.#lastDraw = now;
    this.#stream.write(`\r${this.render(now)}\u001b[K`);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.#enabled) return;
    this.#stream.write(`\r${this.render(this.#now())}\u001b[K\n`);
  }

  /** The bar as text at time `now`; exposed for tests. */
  render(now: number): string {
    const elapsed = Math.max(now - this.#started, 1) / 1000;
    const rate = this.#done / elapsed;
    const label = this.#options.label === undefined ? '' : `${this.#options.label} `;
    const unit = this.#options.unit;
    const total = this.#total;
    if (total === undefined || !(total > 0)) {
      return `${label}${formatCount(this.#done)} ${unit} (${formatCount(rate)} ${unit}/s)`;
    }
    const fraction = Math.min(this.#done / total, 1);
    const filled = Math.round(fraction * WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
    const eta = rate > 0 ? Math.max(total - this.#done, 0) / rate : Number.POSITIVE_INFINITY;
    return `${label}[${bar}] ${(fraction * 100).toFixed(1)}% ${formatCount(this.#done)}/${formatCount(total)} ${unit} (${formatCount(rate)} ${unit}/s, eta ${formatSeconds(eta)})`;
  }
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}
