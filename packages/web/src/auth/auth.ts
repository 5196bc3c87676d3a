import type { ProjectionRunner } from '@ironstar/application';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { defineModule, type Module } from '../module';
import { accountRoutes, type SendUserCommand } from './account-routes';
import { authRoutes } from './auth-routes';
import type { CsrfPolicy } from './csrf';
import { sessionIdentity } from './identity';
import {
  type GithubSettings,
  githubProvider,
  type OidcSettings,
  oidcProvider,
  type Provider,
} from './providers';
import { createSessionCookie, SESSION_TTL_MS } from './session-cookie';
import { userAggregate } from './user-aggregate';
import { type UsersState, usersProjection } from './users-read-model';

/** Signing in: at least one provider, and where the server is reached from outside. */
export type AuthSettings = {
  /** PUBLIC_URL's origin: callbacks are under it, and state-changing requests come from it. */
  readonly publicUrl: string;
  readonly sessionSecret: string;
  readonly oidc?: OidcSettings;
  readonly github?: GithubSettings;
  /** Subject ids or emails granted admin at sign-in (ADMIN_USERS). */
  readonly adminUsers?: readonly string[];
  readonly sessionTtlMs?: number;
  /** More providers of the application's own (and the unit tests' stand-in). */
  readonly providers?: readonly Provider[];
};

/** How long a sign-in waits for this process's read model to show it. */
const SEEN_WITHIN_MS = 5000;

/** Resolves once the runner has folded `position` in (or false after `ms`). */
const reached = (runner: ProjectionRunner<unknown>, position: number, ms = SEEN_WITHIN_MS) =>
  new Promise<boolean>((resolve) => {
    if (runner.position() >= position) return resolve(true);
    const timer = setTimeout(() => {
      off();
      resolve(runner.position() >= position);
    }, ms);
    const off = runner.onChange(() => {
      if (runner.position() < position) return;
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });

/**
 * Users and sessions as a framework module: the User aggregate and its read model, the
 * sign-in routes and account page, and the identity middleware the app puts before every
 * route. When a session ends (on any process: the event comes over the bus), this process's
 * open feeds of that session are cut at once.
 */
export const createAuth = (settings: AuthSettings) => {
  const cookie = createSessionCookie({
    secret: settings.sessionSecret,
    secure: settings.publicUrl.startsWith('https:'),
    maxAgeMs: settings.sessionTtlMs ?? SESSION_TTL_MS,
  });
  const callback = (name: string) => `${settings.publicUrl}/auth/callback/${name}`;
  const providers: Provider[] = [
    ...(settings.oidc ? [oidcProvider(settings.oidc, callback('oidc'))] : []),
    ...(settings.github ? [githubProvider(settings.github, callback('github'))] : []),
    ...(settings.providers ?? []),
  ];
  if (providers.length === 0) throw new Error('createAuth needs at least one provider');

  let users: ProjectionRunner<UsersState> | undefined;
  let clock: () => string = () => new Date().toISOString();
  const state = (): UsersState => {
    if (!users) throw new Error('the users module is not installed');
    return users.state();
  };

  const module: Module = defineModule({
    aggregate: userAggregate,
    projections: { users: usersProjection },
    nav: [{ path: '/account', label: 'Account' }],
    setup: (context) => {
      const runner = context.projections.users;
      users = runner;
      clock = context.clock;
      // Revocation reaches every process over the bus: cut that session's feeds here too.
      // A revoked role or token cuts all the user's feeds: each reconnect is judged anew.
      runner.onChange((_, event) => {
        const data = event.payload as { id: string; sessionId?: string };
        if (event.eventType === 'SessionEnded') context.hub.closeSession(data.id, data.sessionId);
        if (event.eventType === 'RoleRevoked' || event.eventType === 'ApiTokenRevoked') {
          context.hub.closeSession(data.id);
        }
      });
      const send: SendUserCommand = async (command, actor) => {
        const sent = await context.commands.send(
          { aggregateId: command.data.id, command: () => command },
          { metadata: { actor } },
        );
        if (sent.isErr()) return sent.error;
        await reached(runner, sent.value.sequence);
        return undefined;
      };
      return {
        routes: authRoutes({
          providers,
          publicUrl: settings.publicUrl,
          secret: settings.sessionSecret,
          cookie,
          adminUsers: settings.adminUsers ?? [],
          sessionTtlMs: settings.sessionTtlMs ?? SESSION_TTL_MS,
          clock: context.clock,
          shell: context.shell,
          log: (fields, message) => context.log.warn(fields, message),
          port: {
            signIn: async (command) => (await send(command, command.data.id)) === undefined,
            signOut: async (userId, sessionId) => {
              await send(
                { type: 'EndSession', data: { id: userId, sessionId, reason: 'signed-out' } },
                userId,
              );
            },
          },
        }).route(
          '/',
          accountRoutes({ users: state, send, shell: context.shell, clock: context.clock }),
        ),
      };
    },
  });

  const identity: MiddlewareHandler<AppEnv> = sessionIdentity({
    cookie,
    users: state,
    clock: () => clock(),
  });
  const csrf: CsrfPolicy = {
    hasSessionCookie: (c) => cookie.present(c),
    origin: settings.publicUrl,
  };
  return { module, identity, csrf, providers: providers.map((p) => p.name) };
};

export type Auth = ReturnType<typeof createAuth>;
