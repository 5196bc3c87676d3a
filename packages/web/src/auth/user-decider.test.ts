import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import {
  MAX_SESSIONS_PER_USER,
  MAX_TOKENS_PER_USER,
  type SignIn,
  type UserCommand,
  type UserEvent,
  userDecider,
} from './user-decider';

const spec = DeciderSpecification.for(userDecider);
const id = 'u1';
const now = '2026-12-01T10:00:00.000Z';
const later = '2026-12-31T10:00:00.000Z';

const signIn = (sessionId: string, over: Partial<SignIn['data']> = {}): UserCommand => ({
  type: 'SignIn',
  data: {
    id,
    provider: 'oidc',
    subject: 'alice',
    name: 'Alice',
    email: 'alice@example.com',
    sessionId,
    expiresAt: later,
    admin: false,
    now,
    ...over,
  },
});
const registered: UserEvent = {
  type: 'UserRegistered',
  data: {
    id,
    provider: 'oidc',
    subject: 'alice',
    name: 'Alice',
    email: 'alice@example.com',
    registeredAt: now,
  },
};
const signedIn = (sessionId: string, expiresAt = later): UserEvent => ({
  type: 'UserSignedIn',
  data: { id, sessionId, name: 'Alice', expiresAt, signedInAt: now },
});
const ended = (sessionId: string, reason: 'signed-out' | 'revoked' | 'expired' | 'replaced') =>
  ({ type: 'SessionEnded', data: { id, sessionId, reason } }) as const;
const adminGranted: UserEvent = { type: 'RoleGranted', data: { id, role: 'admin' } };
const tokenCreated = (tokenId: string): UserEvent => ({
  type: 'ApiTokenCreated',
  data: { id, tokenId, name: 'ci', hash: 'ab'.repeat(32), createdAt: now },
});

describe('User decider', () => {
  it('registers a user at its first sign-in, then only opens sessions', () => {
    spec
      .given([])
      .when(signIn('s1'))
      .then([registered, signedIn('s1')]);
    spec
      .given([registered, signedIn('s1')])
      .when(signIn('s2'))
      .then([signedIn('s2')]);
  });

  it('grants admin at sign-in when ADMIN_USERS names the user, once', () => {
    spec
      .given([])
      .when(signIn('s1', { admin: true }))
      .then([registered, signedIn('s1'), adminGranted]);
    spec
      .given([registered, signedIn('s1'), adminGranted])
      .when(signIn('s2', { admin: true }))
      .then([signedIn('s2')]);
  });

  it('ends expired sessions and the oldest past the cap at sign-in', () => {
    spec
      .given([registered, signedIn('old', '2026-11-30T00:00:00.000Z')])
      .when(signIn('s2'))
      .then([ended('old', 'expired'), signedIn('s2')]);
    const full = Array.from({ length: MAX_SESSIONS_PER_USER }, (_, i) => signedIn(`s${i}`));
    spec
      .given([registered, ...full])
      .when(signIn('new'))
      .then([ended('s0', 'replaced'), signedIn('new')]);
  });

  it('ends one session (sign-out, revocation) or all of them', () => {
    const two = [registered, signedIn('s1'), signedIn('s2')];
    spec
      .given(two)
      .when({ type: 'EndSession', data: { id, sessionId: 's1', reason: 'signed-out' } })
      .then([ended('s1', 'signed-out')]);
    spec
      .given([...two, ended('s1', 'revoked')])
      .when({ type: 'EndSession', data: { id, sessionId: 's1', reason: 'revoked' } })
      .thenFails('SessionNotFound');
    spec
      .given(two)
      .when({ type: 'EndAllSessions', data: { id } })
      .then([ended('s1', 'revoked'), ended('s2', 'revoked')]);
    spec.given([]).when({ type: 'EndAllSessions', data: { id } }).thenFails('UserNotFound');
  });

  it('grants and revokes roles idempotently', () => {
    spec
      .given([registered])
      .when({ type: 'GrantRole', data: { id, role: 'admin' } })
      .then([adminGranted]);
    spec
      .given([registered, adminGranted])
      .when({ type: 'GrantRole', data: { id, role: 'admin' } })
      .thenNothingHappened();
    spec
      .given([registered, adminGranted])
      .when({ type: 'RevokeRole', data: { id, role: 'admin' } })
      .then([{ type: 'RoleRevoked', data: { id, role: 'admin' } }]);
    spec
      .given([registered])
      .when({ type: 'RevokeRole', data: { id, role: 'admin' } })
      .thenNothingHappened();
    spec
      .given([])
      .when({ type: 'GrantRole', data: { id, role: 'x' } })
      .thenFails('UserNotFound');
  });

  it('creates API tokens up to a cap and revokes them once', () => {
    const create: UserCommand = {
      type: 'CreateApiToken',
      data: { id, tokenId: 't1', name: 'ci', hash: 'ab'.repeat(32), now },
    };
    spec
      .given([registered])
      .when(create)
      .then([tokenCreated('t1')]);
    const full = Array.from({ length: MAX_TOKENS_PER_USER }, (_, i) => tokenCreated(`t${i}`));
    spec
      .given([registered, ...full])
      .when(create)
      .thenFails('TooManyTokens');
    spec
      .given([registered, tokenCreated('t1')])
      .when({ type: 'RevokeApiToken', data: { id, tokenId: 't1' } })
      .then([{ type: 'ApiTokenRevoked', data: { id, tokenId: 't1' } }]);
    spec
      .given([
        registered,
        tokenCreated('t1'),
        { type: 'ApiTokenRevoked', data: { id, tokenId: 't1' } },
      ])
      .when({ type: 'RevokeApiToken', data: { id, tokenId: 't1' } })
      .thenFails('TokenNotFound');
  });

  it('folds to the roles, open sessions and tokens', () => {
    expect(
      fold(userDecider, [registered, signedIn('s1'), signedIn('s2'), ended('s1', 'signed-out')]),
    ).toEqual({
      status: 'registered',
      id,
      roles: [],
      sessions: [{ sessionId: 's2', expiresAt: later }],
      tokens: [],
    });
    expect(fold(userDecider, [signedIn('s1')])).toEqual({ status: 'missing' });
  });
});
