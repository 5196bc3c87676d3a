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

/** A result as RFC 4180 CSV (CRLF, a header row), safe to open in a spreadsheet. */
export const resultCsv = (result: Pick<QueryResult, 'columns' | 'rows'>): string => {
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
};
