import type avro from 'avsc';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { WIRE_HEADER_LENGTH, WIRE_MAGIC_BYTE } from '../kafka/wire-format.ts';

const INITIAL_SCRATCH_BYTES = 4096;

/**
 * Encodes events in the Confluent wire format with one allocation per event: the Avro payload is written into a
 * reused scratch buffer behind a header written once, and only the finished bytes are copied out. (avsc `toBuffer`
 * followed by `encodeWire` allocates and copies twice.)
 */
export class WireEncoder {
  readonly schemaId: number;
  readonly #type: avro.Type;
  #scratch: Buffer;

  constructor(schemaId: number, type: avro.Type) {
    this.schemaId = schemaId;
    this.#type = type;
    this.#scratch = WireEncoder.#header(schemaId, INITIAL_SCRATCH_BYTES);
  }

  static #header(schemaId: number, size: number): Buffer {
    const scratch = Buffer.allocUnsafe(size);
    scratch[0] = WIRE_MAGIC_BYTE;
    scratch.writeUInt32BE(schemaId, 1);
    return scratch;
  }

  /** The wire-format bytes of `event`; throws avsc's error when the event does not fit the schema. */
  encode(event: unknown): Buffer {
    let end = this.#type.encode(event, this.#scratch, WIRE_HEADER_LENGTH);
    if (end < 0) {
      // avsc answers the number of missing bytes (negated) when the scratch buffer is too small.
      this.#scratch = WireEncoder.#header(this.schemaId, 2 * (this.#scratch.length - end));
      end = this.#type.encode(event, this.#scratch, WIRE_HEADER_LENGTH);
    }
    const out = Buffer.allocUnsafe(end);
    this.#scratch.copy(out, 0, 0, end);
    return out;
  }

  /** A DW_EVENT_INVALID error naming the fields of `event` that do not fit the schema (the slow path). */
  explain(event: unknown, cause: unknown): DriftwatchError {
    const paths: string[] = [];
    try {
      this.#type.isValid(event, { errorHook: (path) => paths.push(path.join('.')) });
    } catch {
      // isValid can itself throw on values avsc cannot walk (e.g. a non-object event); the cause still explains it.
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new DriftwatchError(
      ErrorCodes.EVENT_INVALID,
      `event does not match the schema${paths.length ? ` at ${paths.join(', ')}` : ''}: ${reason}`,
      { paths },
    );
  }
}
