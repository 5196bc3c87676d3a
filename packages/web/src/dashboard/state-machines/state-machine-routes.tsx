/** @jsxImportSource hono/jsx */
import { type EventBus, type StoreUnavailable, topicOf } from '@ironstar/application';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ResultAsync } from 'neverthrow';
import type { AppEnv } from '../../app-env';
import { mergeFragments } from '../../datastar/datastar-wire';
import { errorJson, respond, storeUnavailable } from '../../http-errors';
import { Layout, LiveFeed, type PageShell, pageShell } from '../../pages/layout';
import { encodeText, type SseHub } from '../../sse/sse-hub';
import { sseTransport } from '../../sse/sse-transport';
import { Panel } from '../../ui/components';
import { FEED_OPENED } from '../../ui/live';
import type { MachineShape } from './state-machine-layout';
import { StateMachineSvg, type StateTrace, SwipeHint } from './state-machine-svg';

/** A registered module's machine, and how to find one of its aggregates in it. */
export type DrawnMachine = {
  readonly aggregateType: string;
  readonly machine: MachineShape;
  readonly trace: (aggregateId: string) => ResultAsync<StateTrace, StoreUnavailable>;
};

const OPENED = encodeText(FEED_OPENED);
// Ids the page puts in URLs and element ids: what aggregate ids look like (UUIDs and the like).
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The overview's feed: the machines are fixed while the server runs, so it only says "live". */
export const MACHINES_FEED_URL = '/state-machines/feed';

export const machineUrl = (aggregateType: string, aggregateId: string) =>
  `/state-machines/${encodeURIComponent(aggregateType)}/${encodeURIComponent(aggregateId)}`;

/** The live drawing of one aggregate's machine, for any page to embed (the order view does). */
export const AggregateMachine = (props: { aggregateType: string; aggregateId: string }) => {
  const url = machineUrl(props.aggregateType, props.aggregateId);
  return (
    <div class="machine-card">
      <LiveFeed id={`machine-feed-${props.aggregateId}`} url={`${url}/feed`} />
      <SwipeHint />
      <div id={`machine-${props.aggregateId}`}>loading its state machine…</div>
    </div>
  );
};

const Traced = (props: { drawn: DrawnMachine; aggregateId: string; trace: StateTrace }) => (
  <div id={`machine-${props.aggregateId}`}>
    {/* The page's heading names the aggregate; this says where it is now. */}
    <p class="machine-now">
      Now <strong>{props.trace.current}</strong>, after {props.trace.steps.length} event
      {props.trace.steps.length === 1 ? '' : 's'}
    </p>
    <StateMachineSvg
      key={props.aggregateId}
      title={props.drawn.aggregateType}
      machine={props.drawn.machine}
      trace={props.trace}
    />
  </div>
);

/**
 * `/state-machines`: every registered module's machine drawn; `/state-machines/:type/:id`:
 * one aggregate's current state and the path its events took, kept live by its feed (one
 * redraw per event of that aggregate, read from the store, never more than one in flight).
 */
export const stateMachineRoutes = (deps: {
  machines: readonly DrawnMachine[];
  bus: EventBus;
  hub: SseHub;
  shell: PageShell;
  /** Compress the feeds for clients that accept it (SSE_COMPRESSION). */
  compression?: boolean;
}) => {
  const byType = new Map(deps.machines.map((drawn) => [drawn.aggregateType, drawn]));
  const find = (type: string, id: string) => (SAFE_ID.test(id) ? byType.get(type) : undefined);

  return (
    new Hono<AppEnv>()
      .get('/state-machines', (c) =>
        c.html(
          html`<!DOCTYPE html>${(
            <Layout
              title="State machines"
              shell={pageShell(c, deps.shell)}
              path="/state-machines"
              wide
            >
              <LiveFeed id="machines-feed" url={MACHINES_FEED_URL} />
              <h1>State machines</h1>
              <p class="lead">
                Every aggregate's states and the commands that move it, as declared beside its
                decider (and checked against it by its tests). A dot is where an aggregate starts; a
                double border marks a state nothing leaves.
              </p>
              <div class="machines">
                {deps.machines.map((drawn) => (
                  <Panel
                    class="machine-card"
                    id={`machine-${drawn.aggregateType}`}
                    title={drawn.aggregateType}
                  >
                    <SwipeHint />
                    <StateMachineSvg
                      key={drawn.aggregateType}
                      title={drawn.aggregateType}
                      machine={drawn.machine}
                    />
                  </Panel>
                ))}
              </div>
            </Layout>
          )}`,
        ),
      )
      // What it tells the header's indicator: the server is reachable (keep-alives keep it open).
      .get(MACHINES_FEED_URL, (c) =>
        deps.hub.open(
          'state-machines',
          (connection) => connection.send(OPENED),
          sseTransport(c, deps.compression),
        ),
      )
      .get('/state-machines/:type/:id', async (c) => {
        const { type, id } = c.req.param();
        const drawn = find(type, id);
        if (!drawn) return errorJson(c, 'not_found', 'no such state machine or aggregate');
        const trace = await drawn.trace(id);
        if (trace.isErr()) return respond(c, storeUnavailable());
        if (trace.value.steps.length === 0) return errorJson(c, 'not_found', `no such ${type}`);
        return c.html(
          html`<!DOCTYPE html>${(
            <Layout
              title={`${type} ${id}`}
              shell={pageShell(c, deps.shell)}
              path="/state-machines"
              wide
            >
              <h1>
                {type} <code>{id}</code>
              </h1>
              <Panel class="machine-card">
                <LiveFeed id={`machine-feed-${id}`} url={`${machineUrl(type, id)}/feed`} />
                <SwipeHint />
                <Traced drawn={drawn} aggregateId={id} trace={trace.value} />
              </Panel>
            </Layout>
          )}`,
        );
      })
      .get('/state-machines/:type/:id/feed', (c) => {
        const { type, id } = c.req.param();
        const drawn = find(type, id);
        if (!drawn) return errorJson(c, 'not_found', 'no such state machine or aggregate');
        return deps.hub.open(
          'state-machine',
          (connection) => {
            let running = false;
            let again = false;
            let closed = false;
            const redraw = async () => {
              if (running) {
                again = true;
                return;
              }
              running = true;
              do {
                again = false;
                const trace = await drawn.trace(id);
                // A store that cannot be read now is tried again at the next event.
                if (!closed && trace.isOk() && connection.writable()) {
                  const view = <Traced drawn={drawn} aggregateId={id} trace={trace.value} />;
                  connection.send(encodeText(mergeFragments(String(view))));
                }
              } while (again && !closed);
              running = false;
            };
            // Subscribe first, then draw: no event falls in between.
            const unsubscribe = deps.bus.subscribe(
              topicOf({ aggregateType: drawn.aggregateType, aggregateId: id }),
              () => void redraw(),
            );
            connection.onClose(() => {
              closed = true;
              unsubscribe();
            });
            connection.send(OPENED);
            void redraw();
          },
          sseTransport(c, deps.compression),
        );
      })
  );
};

/** The machines of the modules that declare one, in registration order. */
export const drawnMachines = (
  modules: readonly {
    readonly aggregateType: string;
    readonly stateMachine: MachineShape | undefined;
  }[],
  installed: readonly { readonly trace?: DrawnMachine['trace'] }[],
): DrawnMachine[] =>
  modules.flatMap((module, i) => {
    const trace = installed[i]?.trace;
    return module.stateMachine && trace
      ? [{ aggregateType: module.aggregateType, machine: module.stateMachine, trace }]
      : [];
  });
