import { type DuckDBPreparedStatement, JsonDuckDBValueConverter } from '@duckdb/node-api';

export type RowLimits = { readonly maxRows: number; readonly maxBytes: number };

export type BoundedRows = {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly rows: unknown[][];
  /** Which limit cut the result short, or null when every row is here. */
  readonly truncatedBy: 'rows' | 'bytes' | null;
  /** Size of `rows` as JSON, in UTF-8 bytes. */
  readonly bytes: number;
};

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** Rows are handed on in batches of about this many bytes of JSON. */
const BATCH_BYTES = 256 * 1024;

/**
 * Runs a prepared statement and reads its rows one at a time, stopping at the row limit or
 * before the rows' JSON would pass `maxBytes`: what is never read is never held. Numbers that
 * fit a JS number come back as numbers (DuckDB's JSON conversion gives big ones as strings).
 * With `onBatch`, rows go there in ~256 KB batches as they are read (so no single message
 * to the server is large) and the result's `rows` stays empty.
 */
export const readBoundedRows = async (
  prepared: DuckDBPreparedStatement,
  limits: RowLimits,
  onBatch?: (rows: unknown[][]) => void,
): Promise<BoundedRows> => {
  const result = await prepared.stream();
  const columns = result
    .columnNames()
    .map((name, i) => ({ name, type: String(result.columnType(i)) }));
  const numeric = columns.map((c) => NUMERIC.test(c.type));
  let rows: unknown[][] = [];
  let count = 0;
  let bytes = 2; // []
  let batchBytes = 0;
  let truncatedBy: BoundedRows['truncatedBy'] = null;
  reading: for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let r = 0; r < chunk.rowCount; r++) {
      if (count >= limits.maxRows) {
        truncatedBy = 'rows';
        break reading;
      }
      const row = chunk.convertRowValues(r, JsonDuckDBValueConverter).map((cell, i) => {
        if (!numeric[i] || typeof cell !== 'string') return cell;
        const n = Number(cell);
        return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : cell;
      });
      const size = Buffer.byteLength(JSON.stringify(row)) + (count > 0 ? 1 : 0);
      if (bytes + size > limits.maxBytes) {
        truncatedBy = 'bytes';
        break reading;
      }
      bytes += size;
      batchBytes += size;
      count++;
      rows.push(row);
      if (onBatch && batchBytes >= BATCH_BYTES) {
        onBatch(rows);
        rows = [];
        batchBytes = 0;
      }
    }
  }
  if (onBatch && rows.length > 0) {
    onBatch(rows);
    rows = [];
  }
  return { columns, rows, truncatedBy, bytes };
};
