import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ColumnTable } from './column-table.ts';
import { inputError } from './column-table.ts';
import { readArrow } from './read-arrow.ts';
import { parseCsv } from './read-csv.ts';
import { parseNdjson } from './read-ndjson.ts';
import { readParquet } from './read-parquet.ts';

export const DATA_FILE_FORMATS = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
} as const;

/** Reads a CSV, NDJSON, Parquet or Arrow file by its extension into typed columns. */
export async function readDataFile(
  file: string,
  forceCategorical?: ReadonlySet<string>,
): Promise<ColumnTable> {
  const format = DATA_FILE_FORMATS[extname(file).toLowerCase() as keyof typeof DATA_FILE_FORMATS];
  if (format === undefined) {
    throw inputError(file, `unknown format; use one of ${Object.keys(DATA_FILE_FORMATS).join(', ')}`);
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw inputError(file, 'not a file');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw inputError(file, 'file not found', {}, error);
    throw error;
  }
  switch (format) {
    case 'csv':
      return parseCsv(await readFile(file, 'utf8'), file, forceCategorical);
    case 'ndjson':
      return parseNdjson(await readFile(file, 'utf8'), file, forceCategorical);
    case 'parquet':
      return readParquet(file, forceCategorical);
    case 'arrow':
      return readArrow(file, forceCategorical);
  }
}
