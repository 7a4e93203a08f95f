import { describe, expect, it } from 'vitest';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import {
  encodeWire,
  readSchemaId,
  WIRE_HEADER_LENGTH,
  WIRE_MAGIC_BYTE,
} from '../../src/kafka/wire-format.ts';

function wireError(bytes: Buffer | null): DriftwatchError {
  try {
    readSchemaId(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(DriftwatchError);
    return error as DriftwatchError;
  }
  throw new Error('expected readSchemaId to throw');
}

describe('Confluent wire format', () => {
  it('is a magic byte, a big-endian schema id, then the payload', () => {
    const out = encodeWire(0x01020304, Uint8Array.of(9, 8, 7));
    expect(WIRE_MAGIC_BYTE).toBe(0);
    expect(WIRE_HEADER_LENGTH).toBe(5);
    expect([...out]).toEqual([0, 1, 2, 3, 4, 9, 8, 7]);
  });

  it('round-trips the schema id and the payload', () => {
    for (const id of [0, 1, 255, 256, 65_536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const payload = Uint8Array.from({ length: 17 }, (_, i) => (i * 31 + id) & 0xff);
      const out = encodeWire(id, payload);
      expect(readSchemaId(out)).toBe(id);
      expect([...out.subarray(WIRE_HEADER_LENGTH)]).toEqual([...payload]);
    }
  });

  it('allows an empty payload (the header alone)', () => {
    const out = encodeWire(42, new Uint8Array(0));
    expect(out.length).toBe(5);
    expect(readSchemaId(out)).toBe(42);
  });

  it('rejects a null value (tombstone)', () => {
    const e = wireError(null);
    expect(e.code).toBe(ErrorCodes.WIRE_FORMAT);
    expect(e.message).toBe('empty message value (tombstone or no payload)');
  });

  it('rejects an empty value', () => {
    const e = wireError(Buffer.alloc(0));
    expect(e.code).toBe('DW_WIRE_FORMAT');
    expect(e.message).toMatch(/empty message value/);
  });

  it('rejects a value shorter than the header, saying how long it is', () => {
    for (const n of [1, 2, 3, 4]) {
      const e = wireError(Buffer.alloc(n));
      expect(e.code).toBe('DW_WIRE_FORMAT');
      expect(e.message).toBe(`message of ${n} bytes is shorter than the 5-byte wire-format header`);
    }
  });

  it('rejects a wrong magic byte, naming it in hex', () => {
    const json = Buffer.from('{"amount": 1}');
    const e = wireError(json);
    expect(e.code).toBe('DW_WIRE_FORMAT');
    expect(e.message).toBe('first byte is 0x7b, not the wire-format magic byte 0x00');
    expect(wireError(Buffer.from([1, 0, 0, 0, 1, 2])).message).toMatch(/first byte is 0x01/);
    expect(wireError(Buffer.from([0xff, 0, 0, 0, 1])).message).toMatch(/first byte is 0xff/);
  });
});
