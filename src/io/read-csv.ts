import { type Cell, type ColumnTable, columnsFromCells, inputError } from './column-table.ts';
import { csvCell } from './csv-cell.ts';

/**
 * CSV as RFC 4180: comma-separated, fields optionally double-quoted (a quote inside a quoted field is doubled), CRLF
 * or LF line ends, a header row. Cells: empty means missing; a cell that parses as a number is a number, as are
 * nan/NaN and inf/-inf/Infinity/-Infinity (what pandas and numpy write); quoted cells are always strings.
 * A row with the wrong number of fields is an error naming its line.
 */
export function parseCsv(text: string, file: string, forceCategorical?: ReadonlySet<string>): ColumnTable {
  const records = splitRecords(text, file);
  if (records.length === 0) throw inputError(file, 'empty file, expected a header row');
  const header = records[0]!.fields.map((f) => f.text.trim());
  if (header.some((h) => h === ''))
    throw inputError(file, 'header row has an empty column name', { line: 1 });
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined)
    throw inputError(file, `header row names column "${duplicate}" twice`, { line: 1 });
  const cells: Cell[][] = header.map(() => []);
  let rows = 0;
  for (let i = 1; i < records.length; i++) {
    const record = records[i]!;
    if (record.fields.length === 1 && record.fields[0]!.text === '' && !record.fields[0]!.quoted) continue;
    if (record.fields.length !== header.length) {
      throw inputError(
        file,
        `line ${record.line}: expected ${header.length} fields as in the header, got ${record.fields.length}`,
        { line: record.line },
      );
    }
    record.fields.forEach((field, c) => {
      cells[c]!.push(field.quoted ? field.text : csvCell(field.text));
    });
    rows++;
  }
  return columnsFromCells(file, header, cells, rows, forceCategorical);
}

interface Field {
  text: string;
  quoted: boolean;
}

function splitRecords(text: string, file: string): { line: number; fields: Field[] }[] {
  const records: { line: number; fields: Field[] }[] = [];
  let fields: Field[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    fields.push({ text: field, quoted });
    field = '';
    quoted = false;
  };
  for (; i < n; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field.trim() !== '')
        throw inputError(file, `line ${line}: quote in the middle of an unquoted field`, { line });
      field = '';
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      records.push({ line: recordLine, fields });
      fields = [];
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (inQuotes)
    throw inputError(file, `line ${recordLine}: quoted field is not closed`, { line: recordLine });
  if (field !== '' || quoted || fields.length > 0) {
    endField();
    records.push({ line: recordLine, fields });
  }
  return records;
}
