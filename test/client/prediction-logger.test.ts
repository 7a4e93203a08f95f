import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PredictionLogger, type PredictionLoggerOptions } from '../../src/client/prediction-logger.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging/logger.ts';

const schema = { type: 'record', name: 'P', fields: [{ name: 'id', type: 'int' }] };
const base: PredictionLoggerOptions = {
  brokers: ['127.0.0.1:1'],
  registryUrl: 'http://127.0.0.1:1/apis/ccompat/v7',
  topic: 't',
  schema,
  logger: silentLogger,
};

async function failure(options: PredictionLoggerOptions): Promise<DriftwatchError> {
  try {
    await PredictionLogger.create(options);
  } catch (error) {
    expect(error).toBeInstanceOf(DriftwatchError);
    return error as DriftwatchError;
  }
  throw new Error('expected create to fail');
}

describe('PredictionLogger.create (no broker)', () => {
  it.each([
    [{ topic: '' }, 'topic'],
    [{ maxBuffer: 0 }, 'maxBuffer'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ maxBuffer: 10, batchSize: 11 }, 'batchSize'],
    [{ maxBatchBytes: -1 }, 'maxBatchBytes'],
    [{ lingerMs: Number.NaN }, 'lingerMs'],
    [{ retry: { initialMs: 0 } }, 'retry.initialMs'],
    [{ retry: { initialMs: 500, maxMs: 100 } }, 'retry.maxMs'],
    [{ schema: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } }, 'schema'],
    [{ brokers: ['no-port'] }, undefined],
  ] as [Partial<PredictionLoggerOptions>, string | undefined][])('rejects %o', async (override, option) => {
    const error = await failure({ ...base, ...override });
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    if (option !== undefined) expect(error.details.option).toBe(option);
  });

  it('fails with DW_REGISTRY naming the subject when the registry cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const error = await failure({ ...base, registryUrl: `http://127.0.0.1:${port}/apis/ccompat/v7` });
    expect(error.code).toBe(ErrorCodes.REGISTRY);
    expect(error.message).toContain('registering the schema under t-value');
    expect(error.message).toContain('the schema id is needed');
  });
});
