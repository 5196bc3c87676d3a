import { projectionOf } from '@ironstar/application';
import { userAggregate } from './user-aggregate';

export type SessionView = {
  readonly sessionId: string;
  readonly signedInAt: string;
  readonly expiresAt: string;
};
export type TokenView = {
  readonly tokenId: string;
  readonly name: string;
  readonly createdAt: string;
};

export type UserView = {
  readonly id: string;
  name: string;
  readonly provider: string;
  readonly subject: string;
  readonly email: string | null;
  roles: readonly string[];
  /** Open sessions by id (at most MAX_SESSIONS_PER_USER: the decider ends the rest). */
  readonly sessions: Map<string, SessionView>;
  /** Live tokens by id (at most MAX_TOKENS_PER_USER). */
  readonly tokens: Map<string, TokenView>;
};

/**
 * Who is who, for every request: users by id, and the two lookups the boundary makes, open
 * sessions by id and live API tokens by their hash. Sized by the users and their capped
 * sessions and tokens; an expired session is refused at lookup, and ended at its next sign-in.
 */
export type UsersState = {
  readonly users: Map<string, UserView>;
  readonly sessions: Map<string, string>;
  readonly tokens: Map<string, { readonly userId: string; readonly tokenId: string }>;
  /** Each token's hash by token id, so a revocation finds it. */
  readonly hashes: Map<string, string>;
};

export const usersProjection = projectionOf(userAggregate, {
  name: 'users',
  initialState: (): UsersState => ({
    users: new Map(),
    sessions: new Map(),
    tokens: new Map(),
    hashes: new Map(),
  }),
  evolve(state, event) {
    if (event.type === 'UserRegistered') {
      const { id, name, provider, subject, email } = event.data;
      state.users.set(id, {
        id,
        name,
        provider,
        subject,
        email,
        roles: [],
        sessions: new Map(),
        tokens: new Map(),
      });
      return state;
    }
    const user = state.users.get(event.data.id);
    if (!user) return state;
    switch (event.type) {
      case 'UserSignedIn': {
        const { sessionId, signedInAt, expiresAt, name } = event.data;
        user.name = name;
        user.sessions.set(sessionId, { sessionId, signedInAt, expiresAt });
        state.sessions.set(sessionId, user.id);
        break;
      }
      case 'SessionEnded':
        user.sessions.delete(event.data.sessionId);
        state.sessions.delete(event.data.sessionId);
        break;
      case 'RoleGranted':
        if (!user.roles.includes(event.data.role)) user.roles = [...user.roles, event.data.role];
        break;
      case 'RoleRevoked':
        user.roles = user.roles.filter((role) => role !== event.data.role);
        break;
      case 'ApiTokenCreated': {
        const { tokenId, name, createdAt, hash } = event.data;
        user.tokens.set(tokenId, { tokenId, name, createdAt });
        state.tokens.set(hash, { userId: user.id, tokenId });
        state.hashes.set(tokenId, hash);
        break;
      }
      case 'ApiTokenRevoked': {
        const hash = state.hashes.get(event.data.tokenId);
        user.tokens.delete(event.data.tokenId);
        state.hashes.delete(event.data.tokenId);
        if (hash !== undefined) state.tokens.delete(hash);
        break;
      }
    }
    return state;
  },
});

/** The user of an open, unexpired session. */
export const sessionUser = (state: UsersState, sessionId: string, now: string) => {
  const user = state.users.get(state.sessions.get(sessionId) ?? '');
  const session = user?.sessions.get(sessionId);
  return user && session && session.expiresAt > now ? user : undefined;
};

/** The user of a live API token, by the token's SHA-256 hash. */
export const tokenUser = (state: UsersState, hash: string) => {
  const entry = state.tokens.get(hash);
  return entry ? state.users.get(entry.userId) : undefined;
};
