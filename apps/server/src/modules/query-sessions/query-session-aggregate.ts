import { defineAggregate } from '@ironstar/application';
import { QUERY_SESSION_AGGREGATE_TYPE, querySessionDecider } from './query-session-decider';

/** The QuerySession aggregate: every event still at version 1. */
export const querySessionAggregate = defineAggregate({
  type: QUERY_SESSION_AGGREGATE_TYPE,
  decider: querySessionDecider,
  events: { QueryStarted: 1, QueryCompleted: 1, QueryFailed: 1 },
});
