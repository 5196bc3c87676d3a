/** @jsxImportSource hono/jsx */
import type { QueryResult } from '@ironstar/application';
import { isUuid } from '@ironstar/domain';
import {
  action,
  Badge,
  BarChart,
  Button,
  COMMANDS_BLOCKED,
  clockTime,
  commandAction,
  EmptyState,
  formatNumber,
  Layout,
  LiveFeed,
  type PageShell,
  Panel,
  Table,
  type Tone,
} from '@ironstar/web';
import type { QuerySessionView } from './query-sessions-projection';
import type { SavedQuery } from './saved-queries';
import { SQL_TEXT_MAX } from './sql-text';

export const ANALYTICS_PAGE = '/analytics';
export const RUN_URL = `${ANALYTICS_PAGE}/run`;
// Sent like every command of the pages: a fresh Idempotency-Key per run, the same key on its
// resends (a run whose answer was lost is not run or recorded twice), one at a time.
const run = (saved: string) =>
  commandAction(RUN_URL, { prepare: ["$_notice = ''", `$saved = ${saved}`] });
/** True while a run is on its way. */
const RUNNING = "$_pending !== ''";
const MAX_CHART_ROWS = 30;
/** Rows a page shows; the whole kept result is a download away. */
export const DISPLAY_ROWS = 100;
/** Characters of one cell a page shows. */
export const DISPLAY_CELL_CHARS = 200;

// A session's status says how it went: done, still running, or failed.
const STATUS_TONE: Readonly<Record<QuerySessionView['status'], Tone>> = {
  completed: 'ok',
  executing: 'warn',
  failed: 'bad',
};
const StatusBadge = ({ status }: { status: QuerySessionView['status'] }) => (
  <Badge tone={STATUS_TONE[status]}>{status}</Badge>
);

const summary = (session: QuerySessionView) => {
  if (session.status === 'executing') return 'running…';
  if (session.status === 'failed') return session.error ?? 'failed';
  const rows = session.rowCount ?? 0;
  return `${formatNumber(rows)} ${rows === 1 ? 'row' : 'rows'}${session.truncated ? ' (truncated)' : ''} in ${(session.durationMs ?? 0).toFixed(1)} ms${session.cached ? ', cached' : ''}`;
};

/** The recent sessions, newest first: the analytics feed's fat-morph target. */
export const SessionList = (props: { sessions: readonly QuerySessionView[] }) => (
  <section id="sessions">
    {props.sessions.length === 0 ? (
      <EmptyState>No queries yet. Run a saved one.</EmptyState>
    ) : (
      <ul class="sessions">
        {props.sessions.map((s) => (
          <li id={`session-${s.id}`} data-status={s.status}>
            <StatusBadge status={s.status} />
            <span class="mono muted small">{clockTime(s.startedAt)}</span>
            <b>{s.name ?? 'ad hoc'}</b>
            <span class={s.status === 'failed' ? 'error small' : 'muted small'}>{summary(s)}</span>
            {/* The id goes into a Datastar expression: only a UUID (what the service makes). */}
            {isUuid(s.id) ? (
              <Button
                kind="quiet"
                data-on-click={action('get', `${ANALYTICS_PAGE}/sessions/${s.id}/view`)}
              >
                show
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    )}
  </section>
);

const isNumeric = (type: string) =>
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(
    type,
  );

const cellText = (cell: unknown) =>
  cell === null || cell === undefined
    ? ''
    : typeof cell === 'object'
      ? JSON.stringify(cell)
      : String(cell);

/** A cell as a page shows it: at most DISPLAY_CELL_CHARS characters. */
const shownCell = (cell: unknown) => {
  const text = cellText(cell);
  return text.length > DISPLAY_CELL_CHARS ? `${text.slice(0, DISPLAY_CELL_CHARS)}…` : text;
};

const cutBy = (result: QueryResult) =>
  result.truncatedBy === 'bytes'
    ? `cut at the ${formatNumber(result.bytes)}-byte result limit`
    : result.truncatedBy === 'rows'
      ? 'cut at the row limit'
      : '';

/** What the table shows of the result, and where the rest is. */
const ResultNote = ({ id, result }: { id: string; result: QueryResult }) => {
  const shown = Math.min(result.rows.length, DISPLAY_ROWS);
  const links = isUuid(id) ? (
    <>
      {' '}
      Download: <a href={`/api/analytics/sessions/${id}/result.csv`}>CSV</a> ·{' '}
      <a href={`/api/analytics/sessions/${id}/result.json`}>JSON</a>.
    </>
  ) : null;
  return (
    <p class="muted small" id="result-note">
      Showing {formatNumber(shown)} of {formatNumber(result.rows.length)}{' '}
      {result.rows.length === 1 ? 'row' : 'rows'}
      {result.truncated ? ` (${cutBy(result)})` : ''}, as of event #{result.position}; long cells
      are clipped.{links}
    </p>
  );
};

/** A bar per row: the first numeric column, labelled by the row's other text columns. */
const ResultChart = ({ result }: { result: QueryResult }) => {
  const valueAt = result.columns.findIndex((c) => isNumeric(c.type));
  if (valueAt < 0 || result.rows.length === 0) return null;
  const labelAt = result.columns
    .map((c, i) => (i !== valueAt && !isNumeric(c.type) ? i : -1))
    .filter((i) => i >= 0);
  const rows = result.rows.slice(0, MAX_CHART_ROWS);
  return (
    <BarChart
      label={`${result.columns[valueAt]?.name ?? ''} per row`}
      labels={rows.map((row, i) =>
        labelAt.length ? labelAt.map((j) => shownCell(row[j])).join(' · ') : `row ${i + 1}`,
      )}
      values={rows.map((row) => Number(row[valueAt]) || 0)}
    />
  );
};

/** One session's outcome: running, its error, or its rows as a chart and a table. */
export const ResultView = (props: {
  session: QuerySessionView | undefined;
  result: QueryResult | undefined;
}) => {
  const { session, result } = props;
  if (!session) {
    return (
      <section id="result">
        <EmptyState>Run a query to see its rows here.</EmptyState>
      </section>
    );
  }
  return (
    <section id="result" data-session={session.id} data-status={session.status}>
      <p class="row">
        <StatusBadge status={session.status} />
        <b>{session.name ?? 'ad hoc query'}</b>
        <span class={session.status === 'failed' ? 'error' : 'muted small'} id="result-summary">
          {summary(session)}
        </span>
      </p>
      <details>
        <summary class="muted small">SQL</summary>
        <pre>{session.sql}</pre>
      </details>
      {session.status === 'completed' && !result ? (
        <p class="muted">These rows are no longer kept; run the query again.</p>
      ) : null}
      {session.status === 'completed' && result ? (
        <>
          <ResultChart result={result} />
          <Table
            id="result-table"
            tall
            head={result.columns.map((c) => ({ label: c.name, title: c.type }))}
            numeric={result.columns.flatMap((c, i) => (isNumeric(c.type) ? [i] : []))}
            rows={result.rows.slice(0, DISPLAY_ROWS).map((row) => row.map(shownCell))}
          />
          <ResultNote id={session.id} result={result} />
        </>
      ) : null}
    </section>
  );
};

export const QueryError = (props: { message?: string }) => (
  <p id="query-error" class="error" role="alert">
    {props.message ?? ''}
  </p>
);

export const AnalyticsPage = (props: {
  shell: PageShell;
  sessions: readonly QuerySessionView[];
  selected: QuerySessionView | undefined;
  result: QueryResult | undefined;
  limits: { timeoutMs: number; maxRows: number; maxBytes: number };
  savedQueries: readonly SavedQuery[];
}) => (
  <Layout title="Analytics" shell={props.shell} path={ANALYTICS_PAGE} wide>
    <div id="analytics-app" data-signals="{sql: '', saved: ''}">
      <LiveFeed id="analytics-feed" url={`${ANALYTICS_PAGE}/feed`} />
      <h1>Analytics</h1>
      <p class="muted small">
        Read-only SQL over a DuckDB copy of the event log (table <code>events</code>:
        global_sequence, id, aggregate_type, aggregate_id, aggregate_sequence, event_type,
        event_version, payload JSON, metadata JSON, created_at) and scalar, aggregate and window
        functions; no table functions or settings. One SELECT per query, at most{' '}
        {props.limits.timeoutMs / 1000} s, {formatNumber(props.limits.maxRows)} rows and{' '}
        {formatNumber(props.limits.maxBytes)} bytes. Each run is a query session, itself stored as
        events.
      </p>
      <div class="row" id="saved-queries">
        {props.savedQueries.map((q) => (
          <Button
            id={`saved-${q.name}`}
            title={q.sql}
            data-attr-disabled={COMMANDS_BLOCKED}
            data-on-click={run(`'${q.name}'`)}
          >
            {q.title}
          </Button>
        ))}
      </div>
      <div class="row small" id="saved-edit">
        <span class="muted">Open in the editor:</span>
        {props.savedQueries.map((q) => (
          <Button
            kind="quiet"
            class="small"
            title="Put this query in the editor, to change it before running"
            id={`edit-${q.name}`}
            data-sql={q.sql}
            data-on-click="$sql = ctx.el.dataset.sql; document.getElementById('sql').focus()"
          >
            ✎ {q.title}
          </Button>
        ))}
        <span class="spinner" style="display: none" data-show={RUNNING}>
          running…
        </span>
      </div>
      <form id="ad-hoc" style="margin: 1rem 0" data-on-submit={run("''")}>
        <textarea
          id="sql"
          aria-label="SQL"
          maxlength={SQL_TEXT_MAX}
          placeholder="Write one SELECT over the events table here; Ctrl+Enter runs it."
          data-bind="sql"
          data-on-keydown={`(evt.ctrlKey || evt.metaKey) && evt.key === 'Enter' && (evt.preventDefault(), ${run("''")})`}
        />
        <div class="row">
          <Button kind="primary" type="submit" data-attr-disabled={COMMANDS_BLOCKED}>
            Run SQL
          </Button>
          <span class="muted small">
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs it
          </span>
          <QueryError />
          {/* A run that could not be sent or was not answered in time. */}
          <p class="error" id="run-notice" role="alert" data-text="$_notice" />
        </div>
      </form>
      <div class="grid2">
        <Panel title="Sessions">
          <SessionList sessions={props.sessions} />
        </Panel>
        <Panel title="Result">
          {/* While a query runs, the previous result is not shown as if it were its answer. */}
          <div id="result-pane" data-class-running={RUNNING}>
            <p class="spinner" id="result-running" style="display: none" data-show={RUNNING}>
              Running the query…
            </p>
            <ResultView session={props.selected} result={props.result} />
          </div>
        </Panel>
      </div>
    </div>
  </Layout>
);
