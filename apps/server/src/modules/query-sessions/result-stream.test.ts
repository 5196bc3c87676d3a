import type { QueryResult } from '@ironstar/application';
import { describe, expect, it } from 'vitest';
import { resultCsv } from './result-csv';
import { resultCsvStream, resultJsonStream } from './result-stream';

const result: QueryResult = {
  columns: [
    { name: 'n', type: 'BIGINT' },
    { name: 'text', type: 'VARCHAR' },
  ],
  // ~300 KB: several pieces.
  rows: Array.from({ length: 3000 }, (_, i) => [i, `row "${i}" ${'x'.repeat(90)}`]),
  truncated: true,
  truncatedBy: 'bytes',
  bytes: 123,
  position: 7,
};

const read = async (stream: ReadableStream<Uint8Array>) => {
  const pieces: string[] = [];
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    pieces.push(decoder.decode(chunk.value));
  }
  return pieces;
};

describe('result streams', () => {
  it('stream the same JSON a piece at a time, wrapped or not', async () => {
    const pieces = await read(resultJsonStream(result));
    expect(pieces.length).toBeGreaterThan(4);
    expect(JSON.parse(pieces.join(''))).toEqual(result);
    const wrapped = (
      await read(resultJsonStream(result, '{"session":{"id":"s"},"result":', '}'))
    ).join('');
    expect(JSON.parse(wrapped)).toEqual({ session: { id: 's' }, result });
    const empty = { ...result, rows: [] };
    expect(JSON.parse((await read(resultJsonStream(empty))).join(''))).toEqual(empty);
  });

  it('stream the same CSV as resultCsv', async () => {
    expect((await read(resultCsvStream(result))).join('')).toBe(resultCsv(result));
  });
});
