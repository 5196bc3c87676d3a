import { createHash } from 'node:crypto';
import {
  type AggregateDefinition,
  type AggregateService,
  type CommandError,
  type CommandOutcome,
  type CommandRequest,
  createAggregateService,
  type EventBus,
  type EventStore,
  eventReaderOrThrow,
  eventTypesOf,
  type HandleOptions,
  type HeadSource,
  type ProcessTarget,
  type Projection,
  type ProjectionGroup,
  type ProjectionRunner,
  processTargetOf,
  type SnapshotStore,
  type StateMachine,
  type StoreUnavailable,
} from '@ironstar/application';
import type { Message, Upcaster, ValidationError } from '@ironstar/domain';
import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { okAsync, type Result, type ResultAsync } from 'neverthrow';
import type { AppEnv } from './app-env';
import type { MachineShape } from './dashboard/state-machines/state-machine-layout';
import type { StateTrace } from './dashboard/state-machines/state-machine-svg';
import { commandProblem, type DomainErrorAnswers, type Problem } from './http-errors';
import type { Metrics } from './metrics';
import type { NavItem, PageShell } from './pages/layout';
import type { SseHub } from './sse/sse-hub';

/** A JSON request body, as the command route hands it to a module. */
export type JsonObject = { readonly [field: string]: unknown };

/** A command as a module's HTTP parser reads it from a request body. */
export type HttpCommand<C> = CommandRequest<C> & {
  /** The command's name, for metrics ('create'). */
  readonly name: string;
  /**
   * What the client asked for, as plain data: a retry under the same Idempotency-Key must ask
   * for the same. Default: the command as made for a blank id and time.
   */
  readonly input?: unknown;
};

/** How a module's commands arrive over `POST /api/commands/:name`. */
export type CommandHttp<C, Err extends { readonly type: string }> = {
  /** The `:name` of its route, and the noun its messages use ('order'). */
  readonly name: string;
  /** A request body (a JSON object within the size limit) to a command, or a 400. */
  readonly parse: (body: JsonObject) => Result<HttpCommand<C>, ValidationError>;
  /** Each domain error type's HTTP answer, e.g. `OrderNotFound: problem('not_found', '…')`. */
  readonly errors: DomainErrorAnswers<Err>;
  /**
   * The body `type`s it takes: a refused command is counted under its type when it is one of
   * these (metrics labels stay a closed set), else under 'unknown'.
   */
  readonly types?: readonly string[];
};

/** What a time-travel view draws: its read model's state after event `at`. */
export type TimeTravelProps<T> = {
  readonly state: T;
  readonly at: number;
  /** The aggregate whose history is shown beside, if any. */
  readonly selected: { readonly aggregateType: string; readonly aggregateId: string } | null;
  /** A Datastar expression that shows this aggregate's history (undefined for unsafe names). */
  readonly select: (aggregateType: string, aggregateId: string) => string | undefined;
};

/** A read model time travel rebuilds at any point of the log, and how to draw it. */
export type TimeTravelView<T> = {
  /** Folded from the store up to the chosen event; its codec (if any) copies past states. */
  readonly projection: Projection<T>;
  /** Items a state holds: bounds the past states kept in memory. */
  readonly size: (state: T) => number;
  /** The version an aggregate had in `state`: where its history is centred. */
  readonly versionOf?: (state: T, aggregateId: string) => number | undefined;
  readonly render: (props: TimeTravelProps<T>) => Child;
};

/** One structured log line; pino's logger is one of these. */
type LogFn = (fields: object, message: string) => void;
export type RuntimeLog = {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
};

/** Something `/readyz` waits for and `/metrics` reports, besides the projections. */
export type ReadModelStatus = { readonly name: string; readonly position: () => number };

/** What a module's setup is given: the runtime's ports and its own running parts. */
export type ModuleContext<C extends Message, S, Err, PS> = {
  /** The store as every reader sees it: events at their current versions. */
  readonly store: EventStore;
  readonly bus: EventBus;
  /** The store's head now and then (a reader of its own finds what the bus lost). */
  readonly heads: HeadSource | undefined;
  readonly hub: SseHub;
  readonly metrics: Metrics;
  /** What every page's `<Layout>` takes: the navigation and every module's styles. */
  readonly shell: PageShell;
  /** Compress SSE feeds when the client accepts it. */
  readonly compression: boolean;
  readonly clock: () => string;
  readonly newId: () => string;
  readonly log: RuntimeLog;
  /** Sends this module's commands (ids and time filled in). */
  readonly commands: AggregateService<C, S, Err>;
  /** This module's read models, kept current by the runtime. */
  readonly projections: { readonly [K in keyof PS]: ProjectionRunner<PS[K]> };
};

/** What a module's setup hands back; every part is optional. */
export type ModuleParts = {
  /** Its pages, feeds and read APIs, mounted at the root. */
  readonly routes?: Hono<AppEnv>;
  /** More read models `/readyz` waits for (its projections are counted already). */
  readonly readiness?: readonly ReadModelStatus[];
  /** Runs once the projections have caught up, before the server listens. */
  readonly start?: () => Promise<void> | void;
  /** Runs at shutdown, before the projections stop. */
  readonly stop?: () => Promise<void> | void;
};

/** An aggregate module as its author writes it (see `defineModule`). */
export type ModuleSpec<
  C extends Message,
  E extends Message,
  S,
  Err extends { readonly type: string },
  PS,
  T,
> = {
  readonly aggregate: AggregateDefinition<C, E, S, Err>;
  /** Its commands over HTTP; without it, commands come only from its own code. */
  readonly http?: CommandHttp<C, Err>;
  /** Its read models by name; the setup gets their runners under the same names. */
  readonly projections?: { readonly [K in keyof PS]: Projection<PS[K]> };
  readonly nav?: readonly NavItem[];
  /** CSS its pages need, added to every page's shell. */
  readonly styles?: string;
  readonly timeTravel?: TimeTravelView<T>;
  /** May open what the module needs first (an engine, say): the runtime waits for it. */
  readonly setup?: (context: ModuleContext<C, S, Err, PS>) => ModuleParts | Promise<ModuleParts>;
};

/** A parsed command the command route can send, its types closed over. */
export type ParsedCommand = {
  readonly name: string;
  readonly isNew: boolean;
  /** A hash of what the client asked for (the Idempotency-Key check). */
  readonly fingerprint: string;
  send(options: HandleOptions): ResultAsync<CommandOutcome, CommandFailure>;
};

/** A command that failed: the HTTP answer, and the outcome metrics count it under. */
export type CommandFailure = { readonly outcome: string; readonly problem: Problem };

export type CommandEndpoint = {
  readonly name: string;
  readonly aggregateType: string;
  readonly types?: readonly string[];
  parse(body: JsonObject): Result<ParsedCommand, ValidationError>;
};

const OUTCOMES = {
  Rejected: 'rejected',
  Conflict: 'conflict',
  PreconditionFailed: 'precondition_failed',
  IdempotencyMismatch: 'idempotency_mismatch',
  StoreUnavailable: 'unavailable',
} as const satisfies Record<CommandError<unknown>['type'], string>;

/** A time-travel view at one point, its types closed over. */
export type PastView = {
  readonly render: (
    selected: TimeTravelProps<unknown>['selected'],
    select: TimeTravelProps<unknown>['select'],
  ) => Child;
  readonly versionOf: (aggregateId: string) => number | undefined;
};

/** What the runtime gives a module when it installs it. */
export type InstallContext = Omit<
  ModuleContext<Message, unknown, unknown, object>,
  'commands' | 'projections'
> & {
  readonly projections: ProjectionGroup;
  readonly snapshots?: SnapshotStore | undefined;
  readonly stateCacheSize?: number | undefined;
  /** Folds a time-travel view's projection from the store up to a point (see time-machine). */
  readonly timeMachine: <T>(view: TimeTravelView<T>) => (at: number) => Promise<Result<T, string>>;
};

export type InstalledModule = ModuleParts & {
  readonly aggregateType: string;
  readonly commands?: CommandEndpoint;
  /** Where one of its aggregates is in its state machine (when it declares one). */
  readonly trace?: (aggregateId: string) => ResultAsync<StateTrace, StoreUnavailable>;
  /** Where process managers' commands to this aggregate go (its own aggregate service). */
  readonly target: ProcessTarget;
  readonly pastView?: (at: number) => Promise<Result<PastView, string>>;
};

/** A registered module: plain facts for the runtime, and how to install it. */
export type Module = {
  readonly aggregateType: string;
  readonly eventTypes: readonly string[];
  readonly upcasters: readonly Upcaster[];
  /** The `:aggregate` of its command route, if it takes commands over HTTP. */
  readonly commandName: string | undefined;
  readonly nav: readonly NavItem[];
  readonly styles: string;
  /** Its aggregate's declared states and transitions, drawn on `/state-machines`. */
  readonly stateMachine: MachineShape | undefined;
  readonly install: (context: InstallContext) => Promise<InstalledModule>;
};

const fingerprintOf = (input: unknown) =>
  createHash('sha256').update(JSON.stringify(input)).digest('base64url');

/**
 * Declares an aggregate module: one value the runtime plugs in for its command route, read
 * models, pages, navigation, readiness, metrics, event log and time travel. The types of its
 * commands, events, state, errors and read models are inferred and checked end to end.
 */
export const defineModule = <
  C extends Message,
  E extends Message,
  S,
  Err extends { readonly type: string },
  PS,
  T,
>(
  spec: ModuleSpec<C, E, S, Err, PS, T>,
): Module => ({
  aggregateType: spec.aggregate.type,
  eventTypes: eventTypesOf(spec.aggregate),
  upcasters: spec.aggregate.upcasters ?? [],
  commandName: spec.http?.name,
  nav: spec.nav ?? [],
  styles: spec.styles ?? '',
  stateMachine: spec.aggregate.stateMachine,
  async install(context) {
    const commands = createAggregateService(spec.aggregate, {
      store: context.store,
      bus: context.bus,
      clock: context.clock,
      newId: context.newId,
      ...(context.snapshots ? { snapshots: context.snapshots } : {}),
      ...(context.stateCacheSize === undefined ? {} : { stateCacheSize: context.stateCacheSize }),
      onPublishError: (error) =>
        context.log.warn(
          { err: error },
          'publish failed; readers will fill the gap from the store',
        ),
      onSnapshotError: (error) => context.log.warn({ err: error }, 'snapshot not saved'),
    });
    const projections = {} as { [K in keyof PS]: ProjectionRunner<PS[K]> };
    for (const key in spec.projections) {
      projections[key] = context.projections.add(spec.projections[key]);
    }
    const parts = (await spec.setup?.({ ...context, commands, projections })) ?? {};
    return {
      ...parts,
      aggregateType: spec.aggregate.type,
      target: processTargetOf(commands),
      ...(spec.http ? { commands: commandEndpoint(spec.aggregate.type, spec.http, commands) } : {}),
      ...(spec.timeTravel ? { pastView: pastView(spec.timeTravel, context) } : {}),
      ...(spec.aggregate.stateMachine
        ? { trace: tracer(spec.aggregate, spec.aggregate.stateMachine, context, commands) }
        : {}),
    };
  },
});

const commandEndpoint = <C extends Message, S, Err extends { readonly type: string }>(
  aggregateType: string,
  http: CommandHttp<C, Err>,
  commands: AggregateService<C, S, Err>,
): CommandEndpoint => {
  const answer = { noun: http.name, errors: http.errors };
  return {
    name: http.name,
    ...(http.types ? { types: http.types } : {}),
    aggregateType,
    parse: (body) =>
      http.parse(body).map((parsed) => ({
        name: parsed.name,
        isNew: parsed.aggregateId === undefined,
        fingerprint: fingerprintOf(
          parsed.input ??
            parsed.command({ aggregateId: parsed.aggregateId ?? '', now: '', actor: '' }),
        ),
        send: (options) =>
          commands.send(parsed, options).mapErr((error) => ({
            outcome: OUTCOMES[error.type],
            problem: commandProblem(error, answer),
          })),
      })),
  };
};

/** Events of one aggregate a trace reads at most; past them, only the current state is known. */
export const MAX_TRACE_EVENTS = 1000;

const tracer = <C extends Message, E extends Message, S, Err>(
  aggregate: AggregateDefinition<C, E, S, Err>,
  machine: StateMachine<S>,
  context: InstallContext,
  commands: AggregateService<C, S, Err>,
) => {
  const read = eventReaderOrThrow(aggregate);
  return (aggregateId: string): ResultAsync<StateTrace, StoreUnavailable> =>
    context.store
      .readStream(aggregate.type, aggregateId, { limit: MAX_TRACE_EVENTS })
      .andThen((events) => {
        let state = aggregate.decider.initialState();
        const steps: string[] = [];
        for (const event of events) {
          state = aggregate.decider.evolve(state, read(event));
          steps.push(machine.stateOf(state));
        }
        if (events.length < MAX_TRACE_EVENTS) {
          return okAsync({ current: machine.stateOf(state), steps });
        }
        // A long stream: the path of its first events, and where it is now (snapshots help).
        return commands
          .load(aggregateId)
          .map((loaded) => ({ current: machine.stateOf(loaded.state), steps }));
      });
};

const pastView = <T>(view: TimeTravelView<T>, context: InstallContext) => {
  const stateAt = context.timeMachine(view);
  return async (at: number): Promise<Result<PastView, string>> =>
    (await stateAt(at)).map((state) => ({
      render: (selected, select) => view.render({ state, at, selected, select }),
      versionOf: (aggregateId) => view.versionOf?.(state, aggregateId),
    }));
};
