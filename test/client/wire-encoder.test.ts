import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { WireEncoder } from '../../src/client/wire-encoder.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'P',
  fields: [
    { name: 'a', type: 'int' },
    { name: 's', type: 'string' },
  ],
});

describe('WireEncoder', () => {
  it('writes the header and the Avro payload (checked by hand)', () => {
    // a = -2 zigzags to 3; "hi" is its length 2 zigzagged to 4, then the bytes 0x68 0x69.
    const out = new WireEncoder(7, type).encode({ a: -2, s: 'hi' });
    expect([...out]).toEqual([0, 0, 0, 0, 7, 3, 4, 0x68, 0x69]);
  });

  it('matches avsc toBuffer behind encodeWire, for events small and larger than its scratch buffer', () => {
    const encoder = new WireEncoder(0x01020304, type);
    for (const s of ['', 'x', 'é'.repeat(100), 'y'.repeat(5_000), 'z'.repeat(70_000), 'short again']) {
      const event = { a: s.length, s };
      expect(encoder.encode(event).equals(encodeWire(0x01020304, type.toBuffer(event)))).toBe(true);
    }
  });

  it('returns a fresh buffer each time (the scratch buffer is not shared)', () => {
    const encoder = new WireEncoder(1, type);
    const first = encoder.encode({ a: 1, s: 'first' });
    encoder.encode({ a: 2, s: 'second' });
    expect(type.fromBuffer(first.subarray(5))).toEqual({ a: 1, s: 'first' });
  });

  it('throws on an event that does not fit, and explains it with the field paths', () => {
    const encoder = new WireEncoder(1, type);
    const bad = { a: 'seven', s: 'ok' };
    let thrown: unknown;
    try {
      encoder.encode(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const explained = encoder.explain(bad, thrown);
    expect(explained.code).toBe(ErrorCodes.EVENT_INVALID);
    expect(explained.details.paths).toEqual(['a']);
    expect(explained.message).toContain('at a');
  });
});
