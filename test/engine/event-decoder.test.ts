import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CreditRiskEventGenerator } from '../../src/demo/credit-risk-events.ts';
import { EventDecoder } from '../../src/engine/event-decoder.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import type { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';

const SCHEMA = JSON.parse(
  readFileSync(new URL('../../schemas/credit-risk-prediction.avsc', import.meta.url), 'utf8'),
) as avro.Schema;
const TYPE = avro.Type.forSchema(SCHEMA);
const ID = 7;

/**
 * The part of SchemaRegistryClient the decoder uses: a cache of types, and typeFor that resolves ids the fake
 * "registry" knows, fails with DW_UNKNOWN_SCHEMA for others, or with DW_REGISTRY when it is "down".
 */
class FakeRegistry {
  readonly types = new Map<number, avro.Type>();
  readonly remote = new Map<number, avro.Type>();
  readonly requests: number[] = [];
  down = false;

  cachedType(id: number): avro.Type | undefined {
    return this.types.get(id);
  }

  async typeFor(id: number): Promise<avro.Type> {
    this.requests.push(id);
    if (this.down)
      throw new DriftwatchError(ErrorCodes.REGISTRY, `registry request for schema id ${id} failed`);
    const type = this.types.get(id) ?? this.remote.get(id);
    if (type === undefined) {
      throw new DriftwatchError(ErrorCodes.UNKNOWN_SCHEMA, `registry has no schema id ${id} (404)`);
    }
    this.types.set(id, type);
    return type;
  }
}

function decoder(registry: FakeRegistry): EventDecoder {
  return new EventDecoder(registry as unknown as SchemaRegistryClient);
}

const EVENT = new CreditRiskEventGenerator(3).next(Date.UTC(2026, 0, 1, 12));
const MESSAGE = encodeWire(ID, TYPE.toBuffer(EVENT));

describe('EventDecoder.decode', () => {
  it('decodes a wire-format Avro message with a cached schema', () => {
    const registry = new FakeRegistry();
    registry.types.set(ID, TYPE);
    const outcome = decoder(registry).decode(MESSAGE);
    expect(outcome).toEqual({ ok: true, record: EVENT, schemaId: ID });
  });

  it('reports wire-format problems as DW_WIRE_FORMAT', () => {
    const d = decoder(new FakeRegistry());
    expect(d.decode(null)).toEqual({
      ok: false,
      code: 'DW_WIRE_FORMAT',
      reason: 'empty message value (tombstone or no payload)',
    });
    const short = d.decode(Buffer.from([0, 0, 1]));
    expect(short.ok).toBe(false);
    expect(!short.ok && short.code).toBe('DW_WIRE_FORMAT');
    expect(!short.ok && short.reason).toMatch(/3 bytes is shorter than the 5-byte/);
    const json = d.decode(Buffer.from(JSON.stringify(EVENT)));
    expect(!json.ok && json.code).toBe('DW_WIRE_FORMAT');
    expect(!json.ok && json.reason).toMatch(/first byte is 0x7b/);
  });

  it('reports an id the registry does not know as DW_UNKNOWN_SCHEMA', () => {
    const outcome = decoder(new FakeRegistry()).decode(encodeWire(99, TYPE.toBuffer(EVENT)));
    expect(outcome).toEqual({
      ok: false,
      code: 'DW_UNKNOWN_SCHEMA',
      reason: 'schema id 99 is not known to the registry',
    });
  });

  it('reports a truncated payload as DW_DECODE_FAILED, naming the schema', () => {
    const registry = new FakeRegistry();
    registry.types.set(ID, TYPE);
    const outcome = decoder(registry).decode(MESSAGE.subarray(0, MESSAGE.length - 3));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.code).toBe('DW_DECODE_FAILED');
    expect(outcome.reason).toMatch(
      /^payload does not decode with schema id 7 \(io\.driftwatch\.demo\.CreditRiskPrediction\): .*truncated/,
    );
  });

  it('reports trailing bytes as DW_DECODE_FAILED', () => {
    const registry = new FakeRegistry();
    registry.types.set(ID, TYPE);
    const outcome = decoder(registry).decode(Buffer.concat([MESSAGE, Buffer.from([0, 1])]));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.code).toBe('DW_DECODE_FAILED');
    expect(outcome.reason).toMatch(/schema id 7 .*trailing/);
  });

  it('reports a payload of another schema as DW_DECODE_FAILED', () => {
    const registry = new FakeRegistry();
    registry.types.set(ID, TYPE);
    const other = avro.Type.forSchema({
      type: 'record',
      name: 'Other',
      fields: [{ name: 'n', type: 'int' }],
    });
    const outcome = decoder(registry).decode(encodeWire(ID, other.toBuffer({ n: 1 })));
    expect(!outcome.ok && outcome.code).toBe('DW_DECODE_FAILED');
  });
});

describe('EventDecoder.prepare', () => {
  it('resolves each id not yet cached once, skipping values that are not wire format', async () => {
    const registry = new FakeRegistry();
    registry.remote.set(ID, TYPE);
    const d = decoder(registry);
    await d.prepare([MESSAGE, null, Buffer.from('{}'), Buffer.from([0, 0]), MESSAGE]);
    expect(registry.requests).toEqual([ID]);
    expect(d.decode(MESSAGE)).toEqual({ ok: true, record: EVENT, schemaId: ID });
    // Cached now: no further requests.
    await d.prepare([MESSAGE]);
    expect(registry.requests).toEqual([ID]);
  });

  it("keeps the registry's reason for an unknown id, for that batch", async () => {
    const registry = new FakeRegistry();
    registry.remote.set(ID, TYPE);
    const d = decoder(registry);
    const unknown = encodeWire(12, TYPE.toBuffer(EVENT));
    await d.prepare([unknown, MESSAGE]);
    expect(registry.requests.sort((a, b) => a - b)).toEqual([ID, 12]);
    expect(d.decode(unknown)).toEqual({
      ok: false,
      code: 'DW_UNKNOWN_SCHEMA',
      reason: 'registry has no schema id 12 (404)',
    });
    expect(d.decode(MESSAGE).ok).toBe(true);
    // The next batch starts afresh: the decoder falls back to its own wording until prepare asks again.
    await d.prepare([]);
    expect(d.decode(unknown)).toMatchObject({ reason: 'schema id 12 is not known to the registry' });
  });

  it('throws when the registry fails, so the batch is retried rather than dead-lettered', async () => {
    const registry = new FakeRegistry();
    registry.remote.set(ID, TYPE);
    registry.down = true;
    const d = decoder(registry);
    await expect(d.prepare([MESSAGE])).rejects.toMatchObject({ code: 'DW_REGISTRY' });
    registry.down = false;
    await d.prepare([MESSAGE]);
    expect(d.decode(MESSAGE).ok).toBe(true);
  });

  it('throws errors that are not DriftwatchErrors', async () => {
    const registry = new FakeRegistry();
    registry.typeFor = async () => {
      throw new TypeError('boom');
    };
    await expect(decoder(registry).prepare([MESSAGE])).rejects.toThrow('boom');
  });
});
