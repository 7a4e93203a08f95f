import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int64,
  List,
  Table,
  tableFromArrays,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { isDriftwatchError } from '../../src/errors.ts';
import type { DataColumn } from '../../src/io/column-table.ts';
import { readDataFile } from '../../src/io/read-data-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'dw-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function numeric(column: DataColumn | undefined) {
  if (column?.kind !== 'numeric') throw new Error(`expected a numeric column, got ${column?.kind}`);
  return { values: [...column.values], valid: [...column.valid] };
}

function categorical(column: DataColumn | undefined) {
  if (column?.kind !== 'categorical') throw new Error(`expected a categorical column, got ${column?.kind}`);
  return column.values;
}

async function inputFailure(file: string): Promise<string> {
  try {
    await readDataFile(file);
  } catch (error) {
    expect(isDriftwatchError(error, 'DW_INPUT_FILE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected DW_INPUT_FILE');
}

describe('CSV', () => {
  it('types columns: numbers, special floats and missing cells numeric; any text makes a column categorical', async () => {
    const file = write(
      'a.csv',
      'x,y,z,flag\r\n1.5,a,nan,true\r\n-2e3,"b, with comma",inf,false\r\n,"say ""hi""",-inf,\r\n4,7,,true\r\n',
    );
    const table = await readDataFile(file);
    expect(table.rows).toBe(4);
    expect(table.names).toEqual(['x', 'y', 'z', 'flag']);
    expect(numeric(table.columns.get('x'))).toEqual({
      values: [1.5, -2000, Number.NaN, 4],
      valid: [1, 1, 0, 1],
    });
    expect(categorical(table.columns.get('y'))).toEqual(['a', 'b, with comma', 'say "hi"', '7']);
    expect(numeric(table.columns.get('z'))).toEqual({
      values: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN],
      valid: [1, 1, 1, 0],
    });
    expect(categorical(table.columns.get('flag'))).toEqual(['true', 'false', null, 'true']);
  });

  it('keeps a numeric-looking column categorical when asked', async () => {
    const file = write('codes.csv', 'zip\n10115\n75001\n');
    const table = await readDataFile(file, new Set(['zip']));
    expect(categorical(table.columns.get('zip'))).toEqual(['10115', '75001']);
  });

  it('names the file and line of a row with the wrong number of fields', async () => {
    const message = await inputFailure(write('bad.csv', 'a,b\n1,2\n3\n4,5\n'));
    expect(message).toContain('bad.csv');
    expect(message).toContain('line 3');
  });

  it('rejects an unclosed quote, an empty file and a duplicate column', async () => {
    expect(await inputFailure(write('q.csv', 'a,b\n1,"open\n'))).toContain(
      'line 2: quoted field is not closed',
    );
    expect(await inputFailure(write('empty.csv', ''))).toContain('empty file');
    expect(await inputFailure(write('dup.csv', 'a,a\n1,2\n'))).toContain('"a" twice');
  });
});

describe('NDJSON', () => {
  it('reads objects per line, union of keys, absent keys missing', async () => {
    const file = write('a.ndjson', '{"x":1,"c":"u"}\n\n{"x":null,"c":"v","extra":true}\n{"x":2.5}\n');
    const table = await readDataFile(file);
    expect(table.rows).toBe(3);
    expect(numeric(table.columns.get('x'))).toEqual({ values: [1, Number.NaN, 2.5], valid: [1, 0, 1] });
    expect(categorical(table.columns.get('c'))).toEqual(['u', 'v', null]);
    expect(categorical(table.columns.get('extra'))).toEqual([null, 'true', null]);
  });

  it('names the line of invalid JSON and of nested values', async () => {
    expect(await inputFailure(write('b.ndjson', '{"x":1}\n{"x":\n'))).toContain('line 2: not valid JSON');
    expect(await inputFailure(write('c.jsonl', '{"x":["a",1]}\n'))).toContain(
      'line 1: field "x" is an array, not a value',
    );
    expect(await inputFailure(write('d.jsonl', '{"x":1}\n{"x":{"a":1}}\n'))).toContain(
      'line 2: field "x" is an object, not a value',
    );
  });

  it('reads an array of numbers as the JSON text of a vector, and refuses one with a null', async () => {
    const file = write('v.ndjson', '{"v":[0.1, -2e-3, 3]}\n{"v":null}\n{"v":[]}\n{"v":[1e300,5]}\n');
    expect(categorical((await readDataFile(file)).columns.get('v'))).toEqual([
      '[0.1,-0.002,3]',
      null,
      '[]',
      '[1e+300,5]',
    ]);
    expect(await inputFailure(write('n.ndjson', '{"v":[1,2]}\n{"v":[1,null]}\n'))).toContain(
      'n.ndjson: line 2: field "v" is an array with null at position 1; a vector needs a number at every position',
    );
  });
});

describe('Parquet and Arrow', () => {
  it('reads Parquet columns with their types', async () => {
    const file = join(dir, 'a.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'amount', data: [1.5, 2.5, null], type: 'DOUBLE' },
        { name: 'count', data: [1n, 2n, 3n], type: 'INT64' },
        { name: 'channel', data: ['web', null, 'mobile'], type: 'STRING' },
      ],
    });
    const table = await readDataFile(file);
    expect(table.rows).toBe(3);
    expect(numeric(table.columns.get('amount'))).toEqual({
      values: [1.5, 2.5, Number.NaN],
      valid: [1, 1, 0],
    });
    expect(numeric(table.columns.get('count')).values).toEqual([1, 2, 3]);
    expect(categorical(table.columns.get('channel'))).toEqual(['web', null, 'mobile']);
  });

  it('reads Arrow IPC files', async () => {
    const table = tableFromArrays({ amount: new Float64Array([1, 2, 3]), channel: ['web', 'web', 'branch'] });
    const file = join(dir, 'a.arrow');
    writeFileSync(file, tableToIPC(table, 'file'));
    const read = await readDataFile(file);
    expect(numeric(read.columns.get('amount')).values).toEqual([1, 2, 3]);
    expect(categorical(read.columns.get('channel'))).toEqual(['web', 'web', 'branch']);
  });

  it('reads a Parquet list of numbers as vector text and refuses a list with a null or of strings', async () => {
    const listOf = (name: string, type: 'DOUBLE' | 'INT64' | 'FLOAT' | 'STRING', data: unknown[]) => {
      const file = join(dir, name);
      const element =
        type === 'STRING'
          ? { name: 'element', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const }
          : { name: 'element', type };
      parquetWriteFile({
        filename: file,
        columnData: [{ name: 'v', data }],
        schema: [
          { name: 'root', num_children: 1 },
          { name: 'v', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { ...element, repetition_type: 'OPTIONAL' },
        ],
      });
      return file;
    };
    const doubles = listOf('d.parquet', 'DOUBLE', [[0.5, -1.25], null, [3, 4]]);
    expect(categorical((await readDataFile(doubles)).columns.get('v'))).toEqual([
      '[0.5,-1.25]',
      null,
      '[3,4]',
    ]);
    const longs = listOf('l.parquet', 'INT64', [
      [1n, -2n],
      [3n, 4n],
    ]);
    expect(categorical((await readDataFile(longs)).columns.get('v'))).toEqual(['[1,-2]', '[3,4]']);
    // 0.1 as float32 is 0.10000000149011612: the text keeps the float32 value, not the decimal written.
    const floats = listOf('f.parquet', 'FLOAT', [[0.1, 2]]);
    expect(categorical((await readDataFile(floats)).columns.get('v'))).toEqual([`[${Math.fround(0.1)},2]`]);
    expect(
      await inputFailure(
        listOf('h.parquet', 'DOUBLE', [
          [1, 2],
          [3, null],
        ]),
      ),
    ).toContain(
      'h.parquet: row 2: column "v" holds a list with null at position 1; a vector needs a number at every position',
    );
    expect(await inputFailure(listOf('s.parquet', 'STRING', [['a', 'b']]))).toContain(
      'row 1: column "v" holds a nested value, not a feature value',
    );
  });

  it('reads Arrow lists and fixed-size lists of numbers as vector text', async () => {
    const table = new Table({
      f32: vectorFromArray([[0.5, 1.25], null], new List(new Field('item', new Float32(), true))),
      f64: vectorFromArray(
        [
          [1, -2],
          [3e-9, 4],
        ],
        new FixedSizeList(2, new Field('item', new Float64(), false)),
      ),
      i64: vectorFromArray([[1n], [2n, 3n]], new List(new Field('item', new Int64(), false))),
    });
    const file = join(dir, 'v.arrow');
    writeFileSync(file, tableToIPC(table, 'file'));
    const read = await readDataFile(file);
    expect(categorical(read.columns.get('f32'))).toEqual(['[0.5,1.25]', null]);
    expect(categorical(read.columns.get('f64'))).toEqual(['[1,-2]', '[3e-9,4]']);
    expect(categorical(read.columns.get('i64'))).toEqual(['[1]', '[2,3]']);
  });

  it('refuses an Arrow vector with a null or NaN element, and a list of strings', async () => {
    const arrow = (name: string, column: Vector) => {
      const file = join(dir, name);
      writeFileSync(file, tableToIPC(new Table({ v: column }), 'file'));
      return file;
    };
    const floats = new List(new Field('item', new Float64(), true));
    expect(
      await inputFailure(
        arrow(
          'n.arrow',
          vectorFromArray(
            [
              [1, 2],
              [null, 2],
            ],
            floats,
          ),
        ),
      ),
    ).toContain(
      'n.arrow: row 2: column "v" holds a list with null at position 0; a vector needs a number at every position',
    );
    expect(await inputFailure(arrow('nan.arrow', vectorFromArray([[1, Number.NaN]], floats)))).toContain(
      'row 1: column "v" holds a list with NaN at position 1; a vector needs finite numbers',
    );
    const strings = new List(new Field('item', new Utf8(), true));
    expect(await inputFailure(arrow('s.arrow', vectorFromArray([['a']], strings)))).toContain(
      'row 1: column "v" holds a nested value',
    );
  });

  it('reports unreadable binary files, missing files and unknown extensions with the file name', async () => {
    expect(await inputFailure(write('junk.parquet', 'not parquet at all'))).toContain(
      'junk.parquet: not a readable Parquet',
    );
    expect(await inputFailure(write('junk.arrow', 'nope'))).toContain('junk.arrow: not an Arrow IPC');
    expect(await inputFailure(join(dir, 'missing.csv'))).toContain('missing.csv: file not found');
    expect(await inputFailure(write('data.xlsx', ''))).toContain('unknown format');
  });
});
