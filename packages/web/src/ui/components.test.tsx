/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import { BarChart } from '../dashboard/svg-chart';
import { Button, Panel, Stat, Table } from './components';
import { RowCommandButton } from './live';

const html = (node: unknown) => String(node);

describe('the shared components', () => {
  it('Button and Panel add a caller’s class to their own', () => {
    expect(html(<Button kind="quiet" class="icon" />)).toBe(
      '<button type="button" class="quiet icon"></button>',
    );
    expect(html(<Button />)).toBe('<button type="button"></button>');
    expect(html(<Panel class="manager" title="x" />)).toBe(
      '<section class="panel manager"><h2>x</h2></section>',
    );
  });

  it('Stat shows a title, a figure and what explains it', () => {
    expect(html(<Stat id="fig" title="lag" figure={3} />)).toBe(
      '<div class="card" id="fig"><h3>lag</h3><div class="figure">3</div></div>',
    );
  });

  it('Table: head titles, numeric columns, row attributes, escaped cells', () => {
    const out = html(
      <Table
        id="t"
        class="outbox"
        tall
        head={[{ label: 'n', title: 'BIGINT' }, 'name']}
        numeric={[0]}
        rows={[
          { cells: [1, '<b>x</b>'], attrs: { 'data-command': 'c1', class: 'parked' } },
          [2, 'y'],
        ]}
      />,
    );
    expect(out).toContain('<div class="scroll-x tall"><table class="table outbox" id="t">');
    expect(out).toContain('<th title="BIGINT">n</th><th>name</th>');
    expect(out).toContain(
      '<tr data-command="c1" class="parked"><td class="num">1</td><td>&lt;b&gt;x&lt;/b&gt;</td></tr>',
    );
    expect(out).toContain('<tr><td class="num">2</td><td>y</td></tr>');
    expect(html(<Table rows={[]} />)).not.toContain('<thead>');
  });

  it('BarChart: a bar per row as wide as its share, the value as the table shows it', () => {
    const out = html(<BarChart label="n" labels={['a', '<i>b</i>']} values={[10, 5]} />);
    expect(out).toContain('style="width: 100.0%"');
    expect(out).toContain('style="width: 50.0%"');
    expect(out).toContain('title="&lt;i&gt;b&lt;/i&gt;"');
    expect(out).toContain('<span class="bar-value">10</span>');
  });

  it('RowCommandButton asks its list for the command and is disabled while commands are blocked', () => {
    const out = html(
      <RowCommandButton event="todo-command" command="delete" id="d1" kind="danger">
        ✕
      </RowCommandButton>,
    );
    expect(out).toContain('id="d1"');
    expect(out).toContain('class="danger"');
    expect(out).toContain(
      'data-attr-disabled="$_pending !== &#39;&#39; || $_conn === &#39;offline&#39;"',
    );
    expect(out).toContain(
      'new CustomEvent(&#39;todo-command&#39;, {bubbles: true, detail: &#39;delete&#39;})',
    );
  });
});
