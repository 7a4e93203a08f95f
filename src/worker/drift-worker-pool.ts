import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import type { DriftTask, DriftTaskResult } from './drift-task.ts';

export interface DriftWorkerPoolOptions {
  /** Worker threads (default: cores - 1, at least 1; the main thread decodes). */
  readonly threads?: number;
}

/**
 * Piscina pool of drift workers. When driftwatch runs from TypeScript sources (tests, tsx), workers load the
 * TypeScript worker through tsx's loader, since worker threads do not inherit the parent's transform.
 */
export class DriftWorkerPool {
  readonly #pool: Piscina<DriftTask, DriftTaskResult>;

  constructor(options: DriftWorkerPoolOptions = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `threads must be an integer in 1..64, got ${threads}`,
      );
    }
    const fromSource = import.meta.url.endsWith('.ts');
    const filename = new URL(fromSource ? './drift-worker.ts' : './drift-worker.js', import.meta.url).href;
    this.#pool = new Piscina({
      filename,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Flow control is the engine's: it stops reading while too many windows and chunks are in flight. A bounded
      // Piscina queue would instead reject tasks of windows already accepted, which would lose them.
      maxQueue: Number.POSITIVE_INFINITY,
      ...(fromSource ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
    });
    // Errors outside a task would otherwise crash the process; tasks report their own failures.
    this.#pool.on('error', () => {});
  }

  get queueSize(): number {
    return this.#pool.queueSize;
  }

  async run(task: DriftTask): Promise<DriftTaskResult> {
    const transferList = task.ipc !== null ? [task.ipc.buffer as ArrayBuffer] : [];
    try {
      return await this.#pool.run(task, { transferList });
    } catch (error) {
      throw new DriftwatchError(
        ErrorCodes.WORKER_FAILED,
        `drift worker failed: ${(error as Error).message}`,
        {},
        {
          cause: error,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
