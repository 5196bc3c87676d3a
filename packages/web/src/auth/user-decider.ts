import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export const USER_AGGREGATE_TYPE = 'User';

/** Open sessions one user keeps; a sign-in past it ends the oldest (the state stays bounded). */
export const MAX_SESSIONS_PER_USER = 20;
/** Live API tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 20;
/** Roles one user may hold. */
export const MAX_ROLES_PER_USER = 16;

export type SessionEndReason = 'signed-out' | 'revoked' | 'expired' | 'replaced';

export type SignIn = Message<
  'SignIn',
  {
    id: string;
    provider: string;
    subject: string;
    name: string;
    email: string | null;
    sessionId: string;
    expiresAt: string;
    /** ADMIN_USERS names this user: the admin role is granted if not held yet. */
    admin: boolean;
    now: string;
  }
>;
export type EndSession = Message<
  'EndSession',
  { id: string; sessionId: string; reason: 'signed-out' | 'revoked' }
>;
/** Ends every open session of the user (an admin's revocation). */
export type EndAllSessions = Message<'EndAllSessions', { id: string }>;
export type GrantRole = Message<'GrantRole', { id: string; role: string }>;
export type RevokeRole = Message<'RevokeRole', { id: string; role: string }>;
export type CreateApiToken = Message<
  'CreateApiToken',
  { id: string; tokenId: string; name: string; hash: string; now: string }
>;
export type RevokeApiToken = Message<'RevokeApiToken', { id: string; tokenId: string }>;
export type UserCommand =
  | SignIn
  | EndSession
  | EndAllSessions
  | GrantRole
  | RevokeRole
  | CreateApiToken
  | RevokeApiToken;

export type UserRegistered = Message<
  'UserRegistered',
  {
    id: string;
    provider: string;
    subject: string;
    name: string;
    email: string | null;
    registeredAt: string;
  }
>;
export type UserSignedIn = Message<
  'UserSignedIn',
  { id: string; sessionId: string; name: string; expiresAt: string; signedInAt: string }
>;
export type SessionEnded = Message<
  'SessionEnded',
  { id: string; sessionId: string; reason: SessionEndReason }
>;
export type RoleGranted = Message<'RoleGranted', { id: string; role: string }>;
export type RoleRevoked = Message<'RoleRevoked', { id: string; role: string }>;
/** Only the token's SHA-256 hash is stored: the token itself is shown once, never kept. */
export type ApiTokenCreated = Message<
  'ApiTokenCreated',
  { id: string; tokenId: string; name: string; hash: string; createdAt: string }
>;
export type ApiTokenRevoked = Message<'ApiTokenRevoked', { id: string; tokenId: string }>;
export type UserEvent =
  | UserRegistered
  | UserSignedIn
  | SessionEnded
  | RoleGranted
  | RoleRevoked
  | ApiTokenCreated
  | ApiTokenRevoked;

type OpenSession = { readonly sessionId: string; readonly expiresAt: string };

export type UserState =
  | { readonly status: 'missing' }
  | {
      readonly status: 'registered';
      readonly id: string;
      readonly roles: readonly string[];
      /** Oldest first. */
      readonly sessions: readonly OpenSession[];
      readonly tokens: readonly string[];
    };

export type UserError =
  | { readonly type: 'UserNotFound'; readonly id: string }
  | { readonly type: 'SessionNotFound'; readonly id: string; readonly sessionId: string }
  | { readonly type: 'TokenNotFound'; readonly id: string; readonly tokenId: string }
  | { readonly type: 'TooManyTokens'; readonly id: string; readonly max: number }
  | { readonly type: 'TooManyRoles'; readonly id: string; readonly max: number };

export const initialState = (): UserState => ({ status: 'missing' });

export const evolve = (state: UserState, event: UserEvent): UserState => {
  if (event.type === 'UserRegistered') {
    return { status: 'registered', id: event.data.id, roles: [], sessions: [], tokens: [] };
  }
  if (state.status === 'missing') return state;
  switch (event.type) {
    case 'UserSignedIn': {
      const { sessionId, expiresAt } = event.data;
      return { ...state, sessions: [...state.sessions, { sessionId, expiresAt }] };
    }
    case 'SessionEnded':
      return {
        ...state,
        sessions: state.sessions.filter((s) => s.sessionId !== event.data.sessionId),
      };
    case 'RoleGranted':
      return state.roles.includes(event.data.role)
        ? state
        : { ...state, roles: [...state.roles, event.data.role] };
    case 'RoleRevoked':
      return { ...state, roles: state.roles.filter((role) => role !== event.data.role) };
    case 'ApiTokenCreated':
      return { ...state, tokens: [...state.tokens, event.data.tokenId] };
    case 'ApiTokenRevoked':
      return { ...state, tokens: state.tokens.filter((t) => t !== event.data.tokenId) };
    default:
      return assertNever(event);
  }
};

const signIn = (command: SignIn, state: UserState): UserEvent[] => {
  const { id, provider, subject, name, email, sessionId, expiresAt, admin, now } = command.data;
  const events: UserEvent[] = [];
  const registered = state.status === 'registered' ? state : undefined;
  if (!registered) {
    events.push({
      type: 'UserRegistered',
      data: { id, provider, subject, name, email, registeredAt: now },
    });
  }
  // Expired sessions end here, and the oldest past the cap: the open list stays bounded.
  const open = registered?.sessions ?? [];
  const live = open.filter((s) => s.expiresAt > now);
  for (const s of open) {
    if (s.expiresAt <= now) {
      events.push({
        type: 'SessionEnded',
        data: { id, sessionId: s.sessionId, reason: 'expired' },
      });
    }
  }
  for (const s of live.slice(0, Math.max(0, live.length - MAX_SESSIONS_PER_USER + 1))) {
    events.push({ type: 'SessionEnded', data: { id, sessionId: s.sessionId, reason: 'replaced' } });
  }
  events.push({ type: 'UserSignedIn', data: { id, sessionId, name, expiresAt, signedInAt: now } });
  if (admin && !(registered?.roles ?? []).includes('admin')) {
    events.push({ type: 'RoleGranted', data: { id, role: 'admin' } });
  }
  return events;
};

export const decide = (
  command: UserCommand,
  state: UserState,
): Result<readonly UserEvent[], UserError> => {
  if (command.type === 'SignIn') return ok(signIn(command, state));
  const { id } = command.data;
  if (state.status === 'missing') return err({ type: 'UserNotFound', id });
  switch (command.type) {
    case 'EndSession': {
      const { sessionId, reason } = command.data;
      if (!state.sessions.some((s) => s.sessionId === sessionId)) {
        return err({ type: 'SessionNotFound', id, sessionId });
      }
      return ok([{ type: 'SessionEnded', data: { id, sessionId, reason } }]);
    }
    case 'EndAllSessions':
      return ok(
        state.sessions.map((s) => ({
          type: 'SessionEnded' as const,
          data: { id, sessionId: s.sessionId, reason: 'revoked' as const },
        })),
      );
    case 'GrantRole': {
      const { role } = command.data;
      if (state.roles.includes(role)) return ok([]);
      if (state.roles.length >= MAX_ROLES_PER_USER) {
        return err({ type: 'TooManyRoles', id, max: MAX_ROLES_PER_USER });
      }
      return ok([{ type: 'RoleGranted', data: { id, role } }]);
    }
    case 'RevokeRole': {
      const { role } = command.data;
      return ok(state.roles.includes(role) ? [{ type: 'RoleRevoked', data: { id, role } }] : []);
    }
    case 'CreateApiToken': {
      if (state.tokens.length >= MAX_TOKENS_PER_USER) {
        return err({ type: 'TooManyTokens', id, max: MAX_TOKENS_PER_USER });
      }
      const { tokenId, name, hash, now } = command.data;
      return ok([{ type: 'ApiTokenCreated', data: { id, tokenId, name, hash, createdAt: now } }]);
    }
    case 'RevokeApiToken': {
      const { tokenId } = command.data;
      if (!state.tokens.includes(tokenId)) return err({ type: 'TokenNotFound', id, tokenId });
      return ok([{ type: 'ApiTokenRevoked', data: { id, tokenId } }]);
    }
    default:
      return assertNever(command);
  }
};

export const userDecider: Decider<UserCommand, UserEvent, UserState, UserError> = {
  initialState,
  evolve,
  decide,
};
