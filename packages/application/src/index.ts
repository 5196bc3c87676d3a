export {
  type AggregateDefinition,
  defineAggregate,
  eventReader,
  eventReaderOrThrow,
  eventTypesOf,
  type UnreadableEvent,
} from './aggregate';
export {
  type AggregateService,
  type AggregateServiceDeps,
  type CommandContext,
  type CommandRequest,
  createAggregateService,
} from './aggregate-service';
export type {
  AnalyticsEngine,
  AnalyticsUnavailable,
  PreparedQuery,
  PrepareRefusal,
  QueryExecutionFailed,
  QueryLimits,
  QueryResult,
  ResultColumn,
  SqlRefused,
} from './analytics-engine';
export {
  type CatchUpOptions,
  type CatchUpSubscription,
  type CatchUpToHead,
  subscribeFrom,
  subscribeToHead,
} from './catch-up-subscription';
export {
  type CommandError,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandOutcome,
  createCommandHandler,
  type HandleOptions,
  type SnapshotPolicy,
} from './command-handler';
export { ALL_EVENTS, type BusListener, type EventBus, topicOf } from './event-bus';
export {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type ConcurrencyError,
  checkExpectedVersion,
  type DuplicateCommand,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RecordedCommand,
  readAllPages,
  type StoredEvent,
  StoreReadError,
  type StoreUnavailable,
  SYSTEM_ACTOR,
  storeUnavailable,
} from './event-store';
export {
  createHeadWatcher,
  type HeadListener,
  type HeadSource,
  type HeadWatcher,
} from './head-watcher';
export { type LoadedInstance, PROCESS_EVENTS } from './process-instance';
export {
  type AnyProcessManager,
  type CommandFailed,
  defineProcessManager,
  deriveId,
  type ProcessCommand,
  type ProcessDecision,
  type ProcessInputOf,
  type ProcessManager,
  processStreamType,
  type TimerFired,
} from './process-manager';
export {
  createProcessRunner,
  type ProcessRunner,
  type ProcessRunnerEvent,
  type ProcessRunnerOptions,
} from './process-runner';
export type {
  InstanceRow,
  LeaseLost,
  LeaseRow,
  OutboxRow,
  ProcessStep,
  ProcessStore,
  StepDuplicate,
  StepError,
  StepRecorded,
  TimerRow,
} from './process-store';
export { type ProcessTarget, processTargetOf } from './process-target';
export {
  createProjectionGroup,
  createProjectionRunner,
  createProjectionRunners,
  mapByIdSnapshot,
  mapProjectionOf,
  type Projection,
  type ProjectionCodec,
  type ProjectionGroup,
  type ProjectionListener,
  type ProjectionMember,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionSnapshot,
  type ProjectionSnapshotStore,
  projectionOf,
} from './projection';
export type { Snapshot, SnapshotStore } from './snapshot-store';
export {
  defineStateMachine,
  type StateMachine,
  type StateTransition,
  stateMachineProblems,
  terminalStates,
} from './state-machine';
export { createTopicRouter, type TopicRouter, topicSegment, userTopic } from './topic-router';
export { createUpcasterChain, withUpcasters, withUpcastersOnBus } from './upcasting';
