import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
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
    expect(await inputFailure(write('c.jsonl', '{"x":[1,2]}\n'))).toContain('line 1: field "x" is an array');
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

  it('reports unreadable binary files, missing files and unknown extensions with the file name', async () => {
    expect(await inputFailure(write('junk.parquet', 'not parquet at all'))).toContain(
      'junk.parquet: not a readable Parquet',
    );
    expect(await inputFailure(write('junk.arrow', 'nope'))).toContain('junk.arrow: not an Arrow IPC');
    expect(await inputFailure(join(dir, 'missing.csv'))).toContain('missing.csv: file not found');
    expect(await inputFailure(write('data.xlsx', ''))).toContain('unknown format');
  });
});
