import type { QueryResult } from '@ironstar/application';

// A spreadsheet runs a cell that starts like a formula; a leading ' makes it text.
const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

const field = (cell: unknown): string => {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  let text = typeof cell === 'string' ? cell : JSON.stringify(cell);
  if (FORMULA.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The header line of a result's CSV (RFC 4180: CRLF line ends). */
export const csvHeader = (columns: QueryResult['columns']) =>
  `${columns.map((c) => field(c.name)).join(',')}\r\n`;

/** One row as a CSV line, safe to open in a spreadsheet. */
export const csvRow = (cells: readonly unknown[]) => `${cells.map(field).join(',')}\r\n`;

/** A whole result as CSV, a header row first. */
export const resultCsv = (result: Pick<QueryResult, 'columns' | 'rows'>): string =>
  csvHeader(result.columns) + result.rows.map(csvRow).join('');
