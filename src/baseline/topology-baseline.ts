import type { Kafka } from 'kafkajs';
import type { Logger } from '../logging/logger.ts';
import type { Topology } from '../topology/topology-types.ts';
import { readLatestBaseline } from './baseline-topic.ts';
import type { Baseline } from './baseline-types.ts';
import { loadBaseline } from './load-baseline.ts';

/**
 * The baseline a topology's engines run against: the latest one published to its baseline topic under its name, else
 * its file. Both engines of a topology (feature drift and model quality) load it the same way.
 */
export async function loadTopologyBaseline(
  kafka: Kafka,
  topology: Topology,
  logger: Logger,
): Promise<Baseline> {
  const { baseline } = topology;
  if (baseline.topic !== null) {
    const published = await readLatestBaseline(kafka, baseline.topic, baseline.name);
    if (published !== undefined) {
      logger.info('baseline from topic', { topic: baseline.topic, version: published.version });
      return published;
    }
    logger.warn('no baseline published under this name; using the file', {
      topic: baseline.topic,
      name: baseline.name,
      file: baseline.path,
    });
  }
  return loadBaseline(baseline.path);
}
