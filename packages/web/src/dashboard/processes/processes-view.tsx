/** @jsxImportSource hono/jsx */
import { Layout, LiveFeed, type PageShell } from '../../pages/layout';
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

/** State as indented JSON; JSX escapes it (user text may be inside). */
const Json = (props: { value: unknown }) => (
  <pre class="mono">{JSON.stringify(props.value, null, 2) ?? 'undefined'}</pre>
);

const Manager = (props: { manager: ManagerOverview }) => {
  const m = props.manager;
  const parked = m.outbox.filter((row) => row.status === 'parked');
  return (
    <section class="manager" data-manager={m.name}>
      <h2>
        {m.name}{' '}
        <span class={m.failed ? 'pill failed' : m.active ? 'pill live' : 'pill'}>
          {m.failed ? 'stopped' : m.active ? 'active here' : 'standby'}
        </span>
      </h2>
      {m.failed ? (
        <p class="error">Stopped by a bug in the manager, until this server restarts: {m.failed}</p>
      ) : null}
      <div class="cards compact">
        <div class="card">
          <h3>checkpoint</h3>
          <div class="figure" data-checkpoint>
            {m.checkpoint}
          </div>
        </div>
        <div class="card">
          <h3>lag (head {m.head})</h3>
          <div class="figure" data-lag>
            {m.lag}
          </div>
        </div>
        <div class="card">
          <h3>lease</h3>
          <div class="small mono">
            {m.lease ? `${m.lease.owner} until ${m.lease.expiresAt}` : 'free'}
          </div>
        </div>
        <div class="card">
          <h3>parked</h3>
          <div class="figure" data-parked>
            {parked.length}
          </div>
        </div>
      </div>

      <h3>Parked and pending commands</h3>
      {m.outbox.length === 0 ? (
        <p class="empty">Nothing waiting to be sent.</p>
      ) : (
        <div class="scroll-x">
          <table class="result outbox">
            <thead>
              <tr>
                <th>status</th>
                <th>instance</th>
                <th>command</th>
                <th>tries</th>
                <th>reason</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {m.outbox.map((row) => (
                <tr data-command={row.id} class={row.status}>
                  <td>
                    <span class={row.status === 'parked' ? 'pill failed' : 'pill executing'}>
                      {row.status}
                    </span>
                  </td>
                  <td class="mono nowrap" title={row.instanceId}>
                    {shortId(row.instanceId)}
                  </td>
                  <td class="mono">
                    {row.key}: {row.aggregateType} {shortId(row.aggregateId)} {row.command.type}
                  </td>
                  <td class="num">{row.attempts}</td>
                  <td class="small">{row.lastError ?? ''}</td>
                  <td>
                    {row.status === 'parked' ? (
                      <button
                        type="button"
                        id={`retry-${row.id}`}
                        data-attr-disabled={COMMANDS_BLOCKED}
                        data-on-click={retry(m.name)}
                      >
                        Retry
                      </button>
                    ) : (
                      <span class="small muted">next try {row.nextAttemptAt}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>Pending timers</h3>
      {m.timers.length === 0 ? (
        <p class="empty">No timer pending.</p>
      ) : (
        <div class="scroll-x">
          <table class="result timers">
            <tbody>
              {m.timers.map((timer) => (
                <tr data-timer={timer.id}>
                  <td class="mono nowrap" title={timer.instanceId}>
                    {shortId(timer.instanceId)}
                  </td>
                  <td>{timer.name}</td>
                  <td class="mono">due {timer.dueAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>Instances (newest {m.instances.length})</h3>
      {m.instances.length === 0 ? (
        <p class="empty">No instance yet.</p>
      ) : (
        <div class="scroll-x">
          <table class="result instances">
            <tbody>
              {m.instances.map((row) => (
                <tr data-instance={row.instanceId}>
                  <td class="mono nowrap" title={row.instanceId}>
                    <a
                      href={`/events?aggregateType=${encodeURIComponent(`Process:${m.name}`)}&aggregateId=${encodeURIComponent(row.instanceId)}`}
                    >
                      {shortId(row.instanceId)}
                    </a>
                  </td>
                  <td>
                    <span class={row.done ? 'pill completed' : 'pill executing'}>
                      {row.done ? 'done' : 'running'}
                    </span>
                  </td>
                  <td class="small mono nowrap">
                    v{row.version} · {row.updatedAt}
                  </td>
                  <td>
                    <Json value={row.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
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
      <p class="empty">No process manager is registered.</p>
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
