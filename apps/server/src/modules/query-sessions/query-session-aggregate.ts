import { defineAggregate, defineStateMachine } from '@ironstar/application';
import {
  QUERY_SESSION_AGGREGATE_TYPE,
  type QuerySessionState,
  querySessionDecider,
} from './query-session-decider';

/** Pending → Executing → Completed | Failed. */
export const querySessionStateMachine = defineStateMachine<QuerySessionState>({
  initial: 'pending',
  states: ['pending', 'executing', 'completed', 'failed'],
  transitions: [
    { from: 'pending', to: 'executing', on: 'StartQuery' },
    { from: 'executing', to: 'completed', on: 'CompleteQuery' },
    { from: 'executing', to: 'failed', on: 'FailQuery' },
  ],
  stateOf: (state) => state.status,
});

/** The QuerySession aggregate: every event still at version 1. */
export const querySessionAggregate = defineAggregate({
  type: QUERY_SESSION_AGGREGATE_TYPE,
  decider: querySessionDecider,
  events: { QueryStarted: 1, QueryCompleted: 1, QueryFailed: 1 },
  stateMachine: querySessionStateMachine,
});
