import { type DriftTask, type DriftTaskResult, runDriftTask } from './drift-task.ts';

/** Piscina entry point: runs in a worker thread. */
export default function driftWorker(task: DriftTask): DriftTaskResult {
  return runDriftTask(task);
}
