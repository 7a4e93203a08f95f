import { DriftEngine, type DriftEngineOptions } from '../../src/engine/drift-engine.ts';
import { createLogger, silentLogger } from '../../src/logging/logger.ts';
import type { WindowResult } from '../../src/topology/drift-topology.ts';
import type { Topology } from '../../src/topology/topology-types.ts';
import { brokers, registryUrl, uniqueName, waitFor } from './kafka-test-kit.ts';

/** Engines started by `startTestEngine` and not yet stopped; `stopTestEngines` (in afterEach) stops them. */
const running = new Set<DriftEngine>();

export interface TestEngine {
  readonly engine: DriftEngine;
  /** Every window result, in the order the engine published them. */
  readonly windows: WindowResult[];
  /** Waits for `condition`, failing at once (with the cause) if the engine failed. */
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** True once `engine.done` settled (stopped or failed). */
  settled(): boolean;
  /** Stops the engine and forgets it. */
  stop(): Promise<void>;
}

/**
 * Starts a DriftEngine on the test stack with the settings integration tests share: a fresh consumer group, one drift
 * thread, a 100 ms tick, silent logs (DRIFTWATCH_TEST_LOG=1 shows them), and every window result collected.
 */
export async function startTestEngine(
  topology: Topology,
  options: Partial<Omit<DriftEngineOptions, 'topology' | 'onWindow'>> = {},
): Promise<TestEngine> {
  const windows: WindowResult[] = [];
  const engine = await DriftEngine.start({
    brokers,
    registryUrl,
    groupId: uniqueName('it.group'),
    threads: 1,
    tickMs: 100,
    logger: process.env.DRIFTWATCH_TEST_LOG ? createLogger('info') : silentLogger,
    ...options,
    topology,
    onWindow: (result) => windows.push(result),
  });
  running.add(engine);
  let failure: Error | undefined;
  let settled = false;
  engine.done.then(
    () => {
      settled = true;
    },
    (error: Error) => {
      settled = true;
      failure = error;
    },
  );
  return {
    engine,
    windows,
    until: (what, condition, timeoutMs = 90_000) => waitFor(what, condition, timeoutMs, () => failure),
    settled: () => settled,
    stop: async () => {
      running.delete(engine);
      await engine.stop();
    },
  };
}

export async function stopTestEngines(): Promise<void> {
  const engines = [...running];
  running.clear();
  await Promise.allSettled(engines.map((e) => e.stop()));
}
