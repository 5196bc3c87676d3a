/** @jsxImportSource hono/jsx */
import { Layout, LiveFeed, type PageShell } from '../../pages/layout';
import { Badge, Button, EmptyState, JsonView, Panel, Stat, Table } from '../../ui/components';
import { COMMANDS_BLOCKED, commandAction } from '../../ui/live';
import { shortId } from '../urls';
import type { ManagerOverview } from './processes-overview';

export const PROCESSES_PAGE = '/processes';
export const PROCESSES_FEED = '/processes/feed';
export const retryUrl = (manager: string) => `/api/processes/${encodeURIComponent(manager)}/retry`;

// One Retry per parked command: a fresh Idempotency-Key per click, resent with it until the
// server answers; the command's id is read from its row (data-command, escaped by JSX).
const retry = (manager: string) =>
  commandAction(retryUrl(manager), { prepare: ["$id = ctx.el.closest('tr').dataset.command"] });

const Manager = (props: { manager: ManagerOverview }) => {
  const m = props.manager;
  const parked = m.outbox.filter((row) => row.status === 'parked');
  return (
    <Panel
      class="manager"
      data-manager={m.name}
      title={
        <>
          {m.name}{' '}
          <Badge tone={m.failed ? 'bad' : m.active ? 'ok' : 'plain'}>
            {m.failed ? 'stopped' : m.active ? 'active here' : 'standby'}
          </Badge>
        </>
      }
    >
      {m.failed ? (
        <p class="error">Stopped by a bug in the manager, until this server restarts: {m.failed}</p>
      ) : null}
      <div class="cards compact">
        <Stat title="checkpoint" figure={<span data-checkpoint>{m.checkpoint}</span>} />
        <Stat title={`lag (head ${m.head})`} figure={<span data-lag>{m.lag}</span>} />
        <Stat title="lease">
          <div class="small mono">
            {m.lease ? `${m.lease.owner} until ${m.lease.expiresAt}` : 'free'}
          </div>
        </Stat>
        <Stat title="parked" figure={<span data-parked>{parked.length}</span>} />
      </div>

      <h3>Parked and pending commands</h3>
      {m.outbox.length === 0 ? (
        <EmptyState>Nothing waiting to be sent.</EmptyState>
      ) : (
        <Table
          class="outbox"
          head={['status', 'instance', 'command', 'tries', 'reason', '']}
          numeric={[3]}
          rows={m.outbox.map((row) => ({
            attrs: { 'data-command': row.id, class: row.status },
            cells: [
              <Badge tone={row.status === 'parked' ? 'bad' : 'warn'}>{row.status}</Badge>,
              <span class="mono nowrap" title={row.instanceId}>
                {shortId(row.instanceId)}
              </span>,
              <span class="mono">
                {row.key}: {row.aggregateType} {shortId(row.aggregateId)} {row.command.type}
              </span>,
              row.attempts,
              <span class="small">{row.lastError ?? ''}</span>,
              row.status === 'parked' ? (
                <Button
                  id={`retry-${row.id}`}
                  data-attr-disabled={COMMANDS_BLOCKED}
                  data-on-click={retry(m.name)}
                >
                  Retry
                </Button>
              ) : (
                <span class="small muted">next try {row.nextAttemptAt}</span>
              ),
            ],
          }))}
        />
      )}

      <h3>Pending timers</h3>
      {m.timers.length === 0 ? (
        <EmptyState>No timer pending.</EmptyState>
      ) : (
        <Table
          class="timers"
          rows={m.timers.map((timer) => ({
            attrs: { 'data-timer': timer.id },
            cells: [
              <span class="mono nowrap" title={timer.instanceId}>
                {shortId(timer.instanceId)}
              </span>,
              timer.name,
              <span class="mono">due {timer.dueAt}</span>,
            ],
          }))}
        />
      )}

      <h3>Instances (newest {m.instances.length})</h3>
      {m.instances.length === 0 ? (
        <EmptyState>No instance yet.</EmptyState>
      ) : (
        <Table
          class="instances"
          rows={m.instances.map((row) => ({
            attrs: { 'data-instance': row.instanceId },
            cells: [
              <a
                class="mono nowrap"
                title={row.instanceId}
                href={`/events?aggregateType=${encodeURIComponent(`Process:${m.name}`)}&aggregateId=${encodeURIComponent(row.instanceId)}`}
              >
                {shortId(row.instanceId)}
              </a>,
              <Badge tone={row.done ? 'ok' : 'warn'}>{row.done ? 'done' : 'running'}</Badge>,
              <span class="small mono nowrap">
                v{row.version} · {row.updatedAt}
              </span>,
              // State as highlighted JSON behind a disclosure, so rows stay one line on a
              // phone; JSX escapes it (user text may be inside).
              <details>
                <summary class="small muted">state</summary>
                <JsonView value={row.state} />
              </details>,
            ],
          }))}
        />
      )}
    </Panel>
  );
};

/** The live region the feed morphs. */
export const ProcessesView = (props: {
  managers: readonly ManagerOverview[];
  error?: string | undefined;
}) => (
  <div id="processes-view">
    {props.error ? <p class="error">The store cannot be read: {props.error}</p> : null}
    {props.managers.length === 0 && !props.error ? (
      <EmptyState>No process manager is registered.</EmptyState>
    ) : null}
    {props.managers.map((manager) => (
      <Manager manager={manager} />
    ))}
  </div>
);

export const ProcessesPage = (props: {
  shell: PageShell;
  managers: readonly ManagerOverview[];
  error?: string | undefined;
}) => (
  <Layout title="Processes" shell={props.shell} path={PROCESSES_PAGE} wide>
    <h1>Process managers</h1>
    <div data-signals="{id: ''}">
      {/* A refused Retry: the server's own words (404: no longer parked; 503: store down). */}
      <p
        id="notice"
        class="problem"
        role="alert"
        style="display: none"
        data-show="$_notice"
        data-text="$_notice"
      />
      <LiveFeed id="processes-feed" url={PROCESSES_FEED} />
      <ProcessesView managers={props.managers} error={props.error} />
    </div>
  </Layout>
);
