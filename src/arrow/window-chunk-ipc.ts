import {
  DataType,
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  Precision,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { ColumnLayout } from '../core/window/event-batch.ts';
import type { WindowChunk } from '../core/window/window-chunk.ts';

/**
 * A sealed window chunk as one Arrow record batch in the IPC stream format: the form in which rows travel to worker
 * threads (transfer the bytes' buffer; a structured clone of an Arrow table loses its prototypes).
 * Numeric features are Float64 columns with a validity bitmap; categorical features are Dictionary<Utf8, Int32>.
 * Column names are the feature names of the layout.
 */
export function chunkToIpc(chunk: WindowChunk, layout: ColumnLayout): Uint8Array {
  const length = chunk.length;
  const columns: Record<string, ReturnType<typeof makeVector>> = {};
  layout.numeric.forEach((name, c) => {
    const valid = chunk.numericValid[c]!;
    const { bitmap, nullCount } = validityBitmap(valid, length);
    columns[name] = makeVector(
      makeData({
        type: new Float64(),
        length,
        nullCount,
        data: chunk.numeric[c]!.subarray(0, length),
        ...(nullCount > 0 ? { nullBitmap: bitmap } : {}),
      }),
    );
  });
  layout.categorical.forEach((name, c) => {
    // A copy: null slots are rewritten below, and the chunk's own codes must keep their -1.
    const codes = chunk.codes[c]!.slice(0, length);
    let nullCount = 0;
    const bitmap = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      if (codes[i]! >= 0) bitmap[i >> 3]! |= 1 << (i & 7);
      else {
        nullCount++;
        // Arrow leaves the value of a null slot unspecified, but readers index dictionaries with it: keep it valid.
        codes[i] = 0;
      }
    }
    columns[name] = makeVector(
      makeData({
        type: new Dictionary(new Utf8(), new Int32(), c),
        length,
        nullCount,
        data: codes,
        ...(nullCount > 0 ? { nullBitmap: bitmap } : {}),
        dictionary: vectorFromArray(chunk.dictionaries[c]!, new Utf8()),
      }),
    );
  });
  return tableToIPC(new Table(columns), 'stream');
}

function validityBitmap(valid: Uint8Array, length: number): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (valid[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap, nullCount };
}

/** A numeric column as read back: values and an optional validity bitmap (bit set = present). */
export interface NumericColumnView {
  readonly values: Float64Array;
  readonly validity: Uint8Array | null;
  readonly length: number;
}

/** A categorical column as read back: dictionary codes, the dictionary, and an optional validity bitmap. */
export interface CategoricalColumnView {
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  readonly validity: Uint8Array | null;
  readonly length: number;
}

export interface ChunkView {
  readonly length: number;
  readonly numeric: ReadonlyMap<string, NumericColumnView>;
  readonly categorical: ReadonlyMap<string, CategoricalColumnView>;
}

/** Reads a chunk written by `chunkToIpc` without copying its column buffers. */
export function ipcToChunkView(bytes: Uint8Array): ChunkView {
  const table = tableFromIPC(bytes);
  const numeric = new Map<string, NumericColumnView>();
  const categorical = new Map<string, CategoricalColumnView>();
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    if (vector === null) continue;
    if (vector.data.length !== 1) {
      throw new Error(`column ${field.name}: expected one record batch per chunk, got ${vector.data.length}`);
    }
    const data = vector.data[0]!;
    if (data.offset !== 0) throw new Error(`column ${field.name}: sliced data is not supported`);
    const validity =
      data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
    // Types read back from IPC are generic (Float with a precision), not the Float64 subclass: test by type id.
    if (DataType.isFloat(field.type) && field.type.precision === Precision.DOUBLE) {
      numeric.set(field.name, { values: data.values as Float64Array, validity, length: data.length });
    } else if (DataType.isDictionary(field.type)) {
      const dictionary = (data.dictionary?.toArray() ?? []) as string[];
      categorical.set(field.name, {
        codes: data.values as Int32Array,
        dictionary,
        validity,
        length: data.length,
      });
    }
  }
  return { length: table.numRows, numeric, categorical };
}
