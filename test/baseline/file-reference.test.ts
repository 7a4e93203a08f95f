import { describe, expect, it } from 'vitest';
import {
  categoricalColumnNames,
  columnCandidates,
  fileReferenceRows,
} from '../../src/baseline/file-reference.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import { parseCsv } from '../../src/io/read-csv.ts';
import { parseNdjson } from '../../src/io/read-ndjson.ts';
import { baselineTestTopology } from './baseline-test-topology.ts';

const TOPOLOGY = baselineTestTopology([
  ['amount', 'features.amount', 'numeric'],
  ['channel', 'features.channel', 'categorical'],
  ['approved', 'prediction.approved', 'boolean'],
]);

function rejection(run: () => unknown): DriftwatchError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DriftwatchError);
    return error as DriftwatchError;
  }
  throw new Error('expected an error');
}

describe('fileReferenceRows', () => {
  it('reads features by name, field path or last segment, booleans as true/false or 1/0', () => {
    const csv = [
      'amount,features.channel,approved,event_time',
      '1.5,web,true,2025-01-01T00:00:00Z',
      ',mobile,False,1735689660000',
      '3,,,',
      '4,7,TRUE,2025-01-01 00:02',
    ].join('\n');
    const table = parseCsv(csv, 'train.csv', categoricalColumnNames(TOPOLOGY));
    const rows = fileReferenceRows(table, TOPOLOGY);
    expect(rows.rows).toBe(4);
    const amount = rows.columns.get('amount')!;
    expect(amount.kind).toBe('numeric');
    expect(amount.kind === 'numeric' && [...amount.valid!]).toEqual([1, 0, 1, 1]);
    // A numeric-looking value of a categorical feature stays a category.
    expect(rows.columns.get('channel')).toEqual({
      kind: 'categorical',
      values: ['web', 'mobile', null, '7'],
    });
    const approved = rows.columns.get('approved')!;
    expect(approved.kind).toBe('boolean');
    expect(approved.kind === 'boolean' && [[...approved.values], [...approved.valid!]]).toEqual([
      [1, 0, 0, 1],
      [1, 1, 0, 1],
    ]);
    const t = Date.UTC(2025, 0, 1);
    expect([...rows.eventTimes!]).toEqual([t, t + 60_000, Number.NaN, t + 120_000]);
  });

  it('reads booleans from NDJSON and 0/1 columns', () => {
    const ndjson =
      '{"amount":1,"channel":"web","approved":true}\n{"amount":2,"channel":"web","approved":false}\n';
    const rows = fileReferenceRows(parseNdjson(ndjson, 'train.ndjson'), TOPOLOGY);
    const approved = rows.columns.get('approved')!;
    expect(approved.kind === 'boolean' && [...approved.values]).toEqual([1, 0]);
    // No event-time column: the baseline is chunked by rows.
    expect(rows.eventTimes).toBeNull();
    const numeric = fileReferenceRows(parseCsv('amount,channel,approved\n1,a,1\n2,b,0\n', 'f.csv'), TOPOLOGY);
    const bits = numeric.columns.get('approved')!;
    expect(bits.kind === 'boolean' && [...bits.values]).toEqual([1, 0]);
  });

  it('names the file, row and column of a value that is not a boolean', () => {
    const e = rejection(() =>
      fileReferenceRows(parseCsv('amount,channel,approved\n1,a,true\n2,b,maybe\n', 'f.csv'), TOPOLOGY),
    );
    expect(e.code).toBe(ErrorCodes.INPUT_FILE);
    expect(e.message).toBe(
      'f.csv: row 2: column "approved" is a boolean feature but holds "maybe"; expected true, false, 1 or 0',
    );
    expect(e.details).toMatchObject({ file: 'f.csv', row: 2, column: 'approved' });
    const two = rejection(() =>
      fileReferenceRows(parseCsv('amount,channel,approved\n1,a,2\n', 'f.csv'), TOPOLOGY),
    );
    expect(two.message).toContain('row 1: column "approved" is a boolean feature but holds 2');
  });

  it('names the row of an event time it cannot read', () => {
    const csv = 'amount,channel,approved,event_time\n1,a,true,2025-01-01\n2,b,true,last tuesday\n';
    const e = rejection(() => fileReferenceRows(parseCsv(csv, 'f.csv'), TOPOLOGY));
    expect(e.message).toBe(
      'f.csv: row 2: event time column "event_time" holds "last tuesday", neither epoch milliseconds nor an ISO 8601 time',
    );
  });

  it('names the file and feature when a column is missing, and a text column monitored as numeric', () => {
    const missing = rejection(() => fileReferenceRows(parseCsv('amount,channel\n1,a\n', 'f.csv'), TOPOLOGY));
    expect(missing.message).toBe(
      'f.csv: no column for feature "approved" (looked for approved or prediction.approved)',
    );
    const text = rejection(() =>
      fileReferenceRows(parseCsv('amount,channel,approved\nlots,a,true\n', 'f.csv'), TOPOLOGY),
    );
    expect(text.message).toBe('f.csv: column "amount" is monitored as numeric but holds text');
  });

  it('ignores the event-time column in processing time', () => {
    const topology = baselineTestTopology([['amount', 'amount', 'numeric']], { eventTimeField: null });
    const rows = fileReferenceRows(parseCsv('amount,event_time\n1,5\n', 'f.csv'), topology);
    expect(rows.eventTimes).toBeNull();
  });

  it('lists the column names a feature may have, most specific first', () => {
    expect(columnCandidates('amount', 'features.amount')).toEqual(['amount', 'features.amount']);
    expect(columnCandidates('amt', 'features.amount')).toEqual(['amt', 'features.amount', 'amount']);
    expect([...categoricalColumnNames(TOPOLOGY)]).toEqual(['channel', 'features.channel']);
  });
});
