import { defineAggregate } from '@ironstar/application';
import { USER_AGGREGATE_TYPE, userDecider } from './user-decider';

/** The framework's users: registered at first sign-in; sessions, roles and API tokens. */
export const userAggregate = defineAggregate({
  type: USER_AGGREGATE_TYPE,
  decider: userDecider,
  events: {
    UserRegistered: 1,
    UserSignedIn: 1,
    SessionEnded: 1,
    RoleGranted: 1,
    RoleRevoked: 1,
    ApiTokenCreated: 1,
    ApiTokenRevoked: 1,
  },
});
