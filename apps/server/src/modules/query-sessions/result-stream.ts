import type { QueryResult } from '@ironstar/application';
import { csvHeader, csvRow } from './result-csv';

const PIECE_CHARS = 64 * 1024;
const encoder = new TextEncoder();

/**
 * `head`, then the rows turned into text a piece (~64 KB) at a time with a turn of the event
 * loop between pieces, then `tail`: a result of several MB never holds the loop for long.
 */
const piecewise = (
  head: string,
  rows: readonly (readonly unknown[])[],
  row: (cells: readonly unknown[], index: number) => string,
  tail: string,
) => {
  let next = -1;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === -1) {
        next = 0;
        controller.enqueue(encoder.encode(head));
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
      let piece = '';
      while (next < rows.length && piece.length < PIECE_CHARS) {
        const cells = rows[next];
        if (cells) piece += row(cells, next);
        next++;
      }
      if (next < rows.length) {
        controller.enqueue(encoder.encode(piece));
        return;
      }
      controller.enqueue(encoder.encode(piece + tail));
      controller.close();
    },
  });
};

/** `result` as JSON (rows last), wrapped in `before`/`after` (e.g. a session object). */
export const resultJsonStream = (result: QueryResult, before = '', after = '') => {
  const { rows, ...rest } = result;
  const head = `${before}${JSON.stringify(rest).slice(0, -1)},"rows":[`;
  return piecewise(
    head,
    rows,
    (cells, i) => (i > 0 ? ',' : '') + JSON.stringify(cells),
    `]}${after}`,
  );
};

/** `result` as CSV, a header row first. */
export const resultCsvStream = (result: QueryResult) =>
  piecewise(csvHeader(result.columns), result.rows, csvRow, '');
