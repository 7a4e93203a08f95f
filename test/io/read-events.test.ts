import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  Float64,
  makeData,
  Struct,
  Table,
  tableFromArrays,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTimeText } from '../../src/baseline/time-value.ts';
import { isDriftwatchError } from '../../src/errors.ts';
import {
  type EventField,
  type EventRecordBatch,
  openEvents,
  type RejectedInput,
} from '../../src/io/read-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'dw-read-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The fields of a topology like topologies/credit-risk.yaml (two features). */
const FIELDS: EventField[] = [
  { path: 'event_time', required: true, label: 'the event time' },
  { path: 'features.amount', aliases: ['amount'], required: true, label: 'feature "amount"' },
  { path: 'features.channel', aliases: ['channel'], required: true, label: 'feature "channel"' },
  { path: 'model_name' },
];

async function readAll(file: string, batchSize?: number) {
  const reader = await openEvents(file, {
    fields: FIELDS,
    eventTimeField: 'event_time',
    ...(batchSize !== undefined ? { batchSize } : {}),
  });
  const batches: EventRecordBatch[] = [];
  for await (const batch of reader) batches.push(batch);
  return {
    reader,
    batches,
    records: batches.flatMap((b) => b.records),
    locations: batches.flatMap((b) => b.locations),
    rejected: batches.flatMap((b): RejectedInput[] => [...b.rejected]),
  };
}

async function openFailure(file: string, fields: EventField[] = FIELDS): Promise<string> {
  try {
    const reader = await openEvents(file, { fields, eventTimeField: 'event_time' });
    for await (const _ of reader) {
      // drain
    }
  } catch (error) {
    expect(isDriftwatchError(error, 'DW_INPUT_FILE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected DW_INPUT_FILE');
}

const T = Date.UTC(2026, 2, 1, 12, 0);

describe('NDJSON', () => {
  it('keeps nested records as they are, converts ISO-8601 and digit-string event times, and numbers lines', async () => {
    const file = write(
      'a.ndjson',
      [
        JSON.stringify({
          event_time: T,
          model_name: 'm',
          features: { amount: 1.5, channel: 'web' },
          extra: [1],
        }),
        '',
        JSON.stringify({
          event_time: '2026-03-01T12:00:01.250Z',
          features: { amount: 2, channel: 'mobile' },
        }),
        JSON.stringify({ event_time: '2026-03-01T13:00:02+01:00', features: { amount: 3, channel: null } }),
        JSON.stringify({ event_time: '2026-03-01 12:00:03', features: { amount: null, channel: 'web' } }),
        JSON.stringify({ event_time: String(T + 4000), features: { amount: 5, channel: 'web' } }),
        '  \r',
      ].join('\n'),
    );
    const { records, locations, rejected, reader } = await readAll(file);
    expect(reader.format).toBe('ndjson');
    expect(reader.locationUnit).toBe('line');
    expect(rejected).toEqual([]);
    expect(locations).toEqual([1, 3, 4, 5, 6]);
    expect(records.map((r) => r.event_time)).toEqual([T, T + 1250, T + 2000, T + 3000, T + 4000]);
    expect(records[0]).toEqual({
      event_time: T,
      model_name: 'm',
      features: { amount: 1.5, channel: 'web' },
      extra: [1],
    });
    expect(records[2]!.features).toEqual({ amount: 3, channel: null });
  });

  it('rejects bad JSON, non-objects and bad event times with their line and reads on', async () => {
    const good = (i: number) =>
      JSON.stringify({ event_time: T + i, features: { amount: i, channel: 'web' } });
    const file = write(
      'bad.ndjson',
      [
        good(1),
        '{"event_time": 1, "features": {',
        '[1, 2]',
        JSON.stringify({ event_time: '2026-13-45T00:00:00Z', features: { amount: 1, channel: 'web' } }),
        JSON.stringify({ event_time: 'yesterday', features: { amount: 1, channel: 'web' } }),
        good(6),
      ].join('\n'),
    );
    const { records, locations, rejected } = await readAll(file);
    expect(locations).toEqual([1, 6]);
    expect(records.map((r) => r.event_time)).toEqual([T + 1, T + 6]);
    expect(rejected.map((r) => r.location)).toEqual([2, 3, 4, 5]);
    expect(rejected[0]!.reason).toMatch(/^not valid JSON/);
    expect(rejected[1]!.reason).toBe('expected a JSON object per line');
    expect(rejected[2]!.reason).toBe(
      'event time field event_time is "2026-13-45T00:00:00Z", expected epoch milliseconds or an ISO-8601 date-time',
    );
    expect(rejected[3]!.reason).toContain('"yesterday"');
  });

  it('reads UTC ISO-8601 times exactly as the general time rule does (the fast path is only a shortcut)', async () => {
    const texts = [
      '2026-03-01T12:00:00Z',
      '2026-03-01T12:00:00.999Z',
      '1999-12-31T23:59:59.001Z',
      '2026-02-30T00:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T24:00:01Z',
      '2026-03-01T12:60:00Z',
      '2026-00-01T12:00:00Z',
      '0050-01-01T00:00:00Z',
      '2026-03-01T1a:00:00Z',
    ];
    const file = write(
      'times.ndjson',
      texts.map((t) => JSON.stringify({ event_time: t, features: { amount: 1, channel: 'web' } })).join('\n'),
    );
    const { records, locations } = await readAll(file);
    const read = new Map(locations.map((line, i) => [texts[line - 1]!, records[i]!.event_time]));
    for (const text of texts) {
      const expected = parseTimeText(text);
      expect(read.get(text), text).toBe(Number.isFinite(expected) ? expected : undefined);
    }
    expect(read.get('2026-03-01T12:00:00.999Z')).toBe(T + 999);
  });

  it('leaves a missing event time or a wrongly typed feature to the topology, which rejects it with its reason', async () => {
    const file = write(
      'loose.ndjson',
      `${JSON.stringify({ features: { amount: 'abc', channel: 'web' } })}\n`,
    );
    const { records, rejected } = await readAll(file);
    expect(rejected).toEqual([]);
    expect(records).toEqual([{ features: { amount: 'abc', channel: 'web' } }]);
  });

  it('reads flat keys named like the path, the alias or the last segment into the nested field', async () => {
    const file = write(
      'flat.ndjson',
      [
        JSON.stringify({ event_time: T, amount: 7, channel: 'web' }),
        JSON.stringify({ event_time: T, 'features.amount': 8, features: { channel: 'mobile' } }),
      ].join('\n'),
    );
    const { records } = await readAll(file);
    expect(records[0]).toMatchObject({ features: { amount: 7, channel: 'web' } });
    expect(records[1]).toMatchObject({ features: { amount: 8, channel: 'mobile' } });
  });

  it('streams in batches of the requested size, counting rejected rows in the batch, with byte progress', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 25; i++) {
      lines.push(
        i === 10 ? 'oops' : JSON.stringify({ event_time: T + i, features: { amount: i, channel: 'web' } }),
      );
    }
    const text = `${lines.join('\n')}\n`;
    const file = write('batches.ndjson', text);
    const { batches, records, reader } = await readAll(file, 10);
    expect(batches.map((b) => b.records.length + b.rejected.length)).toEqual([10, 10, 5]);
    expect(records).toHaveLength(24);
    expect(reader.progressUnit).toBe('bytes');
    expect(reader.progressTotal).toBe(Buffer.byteLength(text));
    expect(batches.at(-1)!.progress).toBe(Buffer.byteLength(text));
  });
});

describe('CSV', () => {
  it('nests dotted columns, reads last-segment and alias columns, converts times, and keeps only needed columns', async () => {
    const file = write(
      'a.csv',
      [
        'event_time,features.amount,channel,model_name,unused',
        '2026-03-01T12:00:00Z,1.5,web,m,x',
        `${T + 1000},-2e3,"mobile, app",m,y`,
        '2026-03-01T12:00:02.5Z,,,m,z',
      ].join('\r\n'),
    );
    const { records, locations, rejected } = await readAll(file);
    expect(rejected).toEqual([]);
    expect(locations).toEqual([2, 3, 4]);
    expect(records).toEqual([
      { event_time: T, features: { amount: 1.5, channel: 'web' }, model_name: 'm' },
      { event_time: T + 1000, features: { amount: -2000, channel: 'mobile, app' }, model_name: 'm' },
      { event_time: T + 2500, features: { amount: null, channel: null }, model_name: 'm' },
    ]);
  });

  it('prefers the column named like the full path over the last segment', async () => {
    const file = write('both.csv', 'event_time,amount,features.amount,channel\n1,10,20,web\n');
    const { records } = await readAll(file);
    expect(records[0]).toMatchObject({ features: { amount: 20 } });
  });

  it('rejects malformed rows with their line (after multi-line quoted fields) and reads on', async () => {
    const file = write(
      'bad.csv',
      [
        'event_time,amount,channel',
        '1,1,"two\nlines"', // lines 2-3
        '2,2', // line 4: too few fields
        '3,3,we"b', // line 5: quote inside an unquoted field
        '4,4,"web"x', // line 6: text after a closing quote
        'not-a-time,5,web', // line 7
        '6,6,web', // line 8
        '7,7,"never closed', // line 9
        '8,8,web',
      ].join('\n'),
    );
    const { records, locations, rejected } = await readAll(file);
    expect(locations).toEqual([2, 8]);
    expect(records[0]).toMatchObject({ event_time: 1, features: { channel: 'two\nlines' } });
    expect(rejected).toEqual([
      { location: 4, reason: 'expected 3 fields as in the header, got 2' },
      { location: 5, reason: 'quote in the middle of an unquoted field' },
      { location: 6, reason: 'text after a closing quote' },
      {
        location: 7,
        reason:
          'event time field event_time is "not-a-time", expected epoch milliseconds or an ISO-8601 date-time',
      },
      { location: 9, reason: 'quoted field is not closed' },
    ]);
  });

  it('parses a file larger than a read chunk exactly, quoted fields across chunk boundaries included', async () => {
    const rows = 40_000;
    const lines = ['event_time,amount,channel'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i}.5,"c ""${i}"",\n${'x'.repeat(i % 50)}"`);
    const { records, locations, rejected } = await readAll(write('big.csv', `${lines.join('\n')}\n`));
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(rows);
    for (let i = 0; i < rows; i += 997) {
      expect(records[i]).toEqual({
        event_time: i,
        features: { amount: i + 0.5, channel: `c "${i}",\n${'x'.repeat(i % 50)}` },
      });
      // Each record takes two lines after the header.
      expect(locations[i]).toBe(2 + 2 * i);
    }
  });

  it('reads numbers as read-csv does: decimal literals and nan/inf are numbers, hex and other text are not', async () => {
    const file = write(
      'numbers.csv',
      'event_time,amount,channel\n1, 12 ,0x1f\n2,nan,+.5\n3,-inf,1e400\n4,1_0,constructor\n',
    );
    const { records } = await readAll(file);
    const features = records.map((r) => r.features as Record<string, unknown>);
    expect(features.map((f) => f.amount)).toEqual([12, Number.NaN, Number.NEGATIVE_INFINITY, '1_0']);
    expect(features.map((f) => f.channel)).toEqual(['0x1f', 0.5, Number.POSITIVE_INFINITY, 'constructor']);
  });

  it('fails up front, naming the file, for a missing required column, a bad header or an empty file', async () => {
    expect(await openFailure(write('nocol.csv', 'event_time,amount\n1,2\n'))).toBe(
      `${join(dir, 'nocol.csv')}: no column for feature "channel" (looked for features.channel or channel)`,
    );
    expect(await openFailure(write('notime.csv', 'amount,channel\n1,web\n'))).toContain(
      'no column for the event time (looked for event_time)',
    );
    expect(await openFailure(write('dup.csv', 'event_time,amount,amount,channel\n'))).toContain(
      'header row names column "amount" twice',
    );
    expect(await openFailure(write('empty.csv', ''))).toContain(
      'empty.csv: empty file, expected a header row',
    );
  });
});

describe('Parquet and Arrow', () => {
  it('reads Parquet row groups: dotted columns nest, timestamps and INT64 become numbers, rows are numbered', async () => {
    const file = join(dir, 'a.parquet');
    parquetWriteFile({
      filename: file,
      rowGroupSize: 2,
      columnData: [
        { name: 'event_time', data: [T, T + 1, T + 2].map((t) => new Date(t)), type: 'TIMESTAMP' },
        { name: 'features.amount', data: [1n, 2n, 3n], type: 'INT64' },
        { name: 'channel', data: ['web', null, 'mobile'], type: 'STRING' },
        { name: 'ignored', data: [1, 2, 3], type: 'DOUBLE' },
      ],
    });
    const { records, locations, reader, batches } = await readAll(file, 2);
    expect(reader.locationUnit).toBe('row');
    expect(reader.progressTotal).toBe(3);
    expect(batches.at(-1)!.progress).toBe(3);
    expect(locations).toEqual([1, 2, 3]);
    expect(records).toEqual([
      { event_time: T, 'features.amount': 1n, channel: 'web', features: { amount: 1, channel: 'web' } },
      { event_time: T + 1, 'features.amount': 2n, channel: null, features: { amount: 2, channel: null } },
      {
        event_time: T + 2,
        'features.amount': 3n,
        channel: 'mobile',
        features: { amount: 3, channel: 'mobile' },
      },
    ]);
  });

  it('rejects a Parquet row whose event time is not a time, naming its row', async () => {
    const file = join(dir, 'times.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'event_time', data: ['2026-03-01T12:00:00Z', 'soon'], type: 'STRING' },
        { name: 'amount', data: [1, 2], type: 'DOUBLE' },
        { name: 'channel', data: ['web', 'web'], type: 'STRING' },
      ],
    });
    const { records, rejected } = await readAll(file);
    expect(records.map((r) => r.event_time)).toEqual([T]);
    expect(rejected).toEqual([{ location: 2, reason: expect.stringContaining('"soon"') }]);
  });

  it('reads Arrow flat columns and struct columns along the path', async () => {
    const features = makeData({
      type: new Struct([new Field('amount', new Float64(), true), new Field('channel', new Utf8(), true)]),
      length: 2,
      nullCount: 0,
      children: [
        vectorFromArray([1.5, 2.5], new Float64()).data[0]!,
        vectorFromArray(['web', 'branch'], new Utf8()).data[0]!,
      ],
    });
    const flat = tableFromArrays({ event_time: new BigInt64Array([BigInt(T), BigInt(T + 1)]) });
    const table = new Table({
      event_time: flat.getChild('event_time')!,
      features: vectorFromArray(features),
    });
    const file = write('a.arrow', tableToIPC(table, 'file'));
    const { records, locations } = await readAll(file);
    expect(locations).toEqual([1, 2]);
    expect(records).toEqual([
      { event_time: T, features: { amount: 1.5, channel: 'web' } },
      { event_time: T + 1, features: { amount: 2.5, channel: 'branch' } },
    ]);
  });

  it('fails up front for unreadable files and missing columns', async () => {
    expect(await openFailure(write('junk.parquet', 'not parquet'))).toContain(
      'junk.parquet: not a readable Parquet file',
    );
    expect(await openFailure(write('junk.arrow', 'not arrow'))).toContain(
      'junk.arrow: not an Arrow IPC file',
    );
    const file = write(
      'nochannel.arrow',
      tableToIPC(tableFromArrays({ event_time: [1], amount: [2] }), 'file'),
    );
    expect(await openFailure(file)).toContain('no column for feature "channel"');
  });
});

describe('files', () => {
  it('names a missing file and an unknown format', async () => {
    expect(await openFailure(join(dir, 'nope.ndjson'))).toBe(`${join(dir, 'nope.ndjson')}: file not found`);
    expect(await openFailure(write('events.txt', 'x'))).toContain('events.txt: unknown format');
    expect(await openFailure(dir.concat('/'))).toContain('unknown format');
  });
});
