import { DriftwatchError, ErrorCodes } from '../errors.ts';

/**
 * Confluent wire format: byte 0 is the magic byte 0, bytes 1-4 the schema id (big-endian, unsigned in practice),
 * then the serialized payload. See https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 */
export const WIRE_MAGIC_BYTE = 0;
export const WIRE_HEADER_LENGTH = 5;

export function encodeWire(schemaId: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_LENGTH + payload.length);
  out[0] = WIRE_MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  out.set(payload, WIRE_HEADER_LENGTH);
  return out;
}

/** The schema id of a wire-format message; throws DW_WIRE_FORMAT when the bytes are not in the format. */
export function readSchemaId(bytes: Buffer | null): number {
  if (bytes === null || bytes.length === 0) {
    throw new DriftwatchError(ErrorCodes.WIRE_FORMAT, 'empty message value (tombstone or no payload)');
  }
  if (bytes.length < WIRE_HEADER_LENGTH) {
    throw new DriftwatchError(
      ErrorCodes.WIRE_FORMAT,
      `message of ${bytes.length} bytes is shorter than the 5-byte wire-format header`,
    );
  }
  if (bytes[0] !== WIRE_MAGIC_BYTE) {
    throw new DriftwatchError(
      ErrorCodes.WIRE_FORMAT,
      `first byte is 0x${bytes[0]!.toString(16).padStart(2, '0')}, not the wire-format magic byte 0x00`,
    );
  }
  return bytes.readUInt32BE(1);
}
