import { describe, expect, it } from 'vitest';
import { resultCsv } from './result-csv';

describe('result CSV', () => {
  it('writes a header and rows, quoting what needs it, formulas as text', () => {
    const csv = resultCsv({
      columns: [
        { name: 'text', type: 'VARCHAR' },
        { name: 'n', type: 'BIGINT' },
        { name: 'json', type: 'JSON' },
      ],
      rows: [
        ['plain', 1, null],
        ['a, "quoted"\nline', -2, { a: [1] }],
        ['=HYPERLINK("http://x")', 3.5, 'x'],
        [' padded', true, '@SUM(A1)'],
      ],
    });
    expect(csv).toBe(
      [
        'text,n,json',
        'plain,1,',
        '"a, ""quoted""\nline",-2,"{""a"":[1]}"',
        `"'=HYPERLINK(""http://x"")",3.5,x`,
        `" padded",true,'@SUM(A1)`,
        '',
      ].join('\r\n'),
    );
  });
});
