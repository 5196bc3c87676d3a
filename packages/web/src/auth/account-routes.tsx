/** @jsxImportSource hono/jsx */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CommandError } from '@ironstar/application';
import { isUuid } from '@ironstar/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { AppEnv } from '../app-env';
import { errorJson, type Problem, problem, respond } from '../http-errors';
import type { PageShell } from '../pages/layout';
import { pageShell } from '../pages/layout';
import { AccountPage } from './auth-pages';
import { hashToken, requireAdmin } from './identity';
import type { UserCommand, UserError } from './user-decider';
import type { UsersState } from './users-read-model';

/** Sends a user command as `actor`; resolves once this process's read model has it. */
export type SendUserCommand = (
  command: UserCommand,
  actor: string,
) => Promise<CommandError<UserError> | undefined>;

const ROLE = /^[a-z][a-z0-9-]{0,31}$/;
const FORM_LIMIT = 4 * 1024;
/** `GET /api/users` lists at most this many. */
export const MAX_USERS_LISTED = 500;

const answer = (error: CommandError<UserError>): Problem => {
  if (error.type === 'StoreUnavailable') {
    return problem('unavailable', 'the event store is unavailable; nothing was changed', {
      'Retry-After': '1',
    });
  }
  if (error.type !== 'Rejected') return problem('conflict', 'changed meanwhile; retry');
  switch (error.error.type) {
    case 'UserNotFound':
      return problem('not_found', 'no such user');
    case 'SessionNotFound':
      return problem('not_found', 'no such open session');
    case 'TokenNotFound':
      return problem('not_found', 'no such API token');
    case 'TooManyTokens':
      return problem('conflict', `at most ${error.error.max} API tokens; revoke one first`);
    case 'TooManyRoles':
      return problem('conflict', `at most ${error.error.max} roles per user`);
  }
};

/**
 * The account page (`/account`: own sessions and API tokens, revocable; a token is shown once
 * at creation) and the admin's JSON API over users (`/api/users…`: list, revoke sessions,
 * grant and revoke roles). Forms post same-origin; every change is a User event.
 */
export const accountRoutes = (deps: {
  readonly users: () => UsersState;
  readonly send: SendUserCommand;
  readonly shell: PageShell;
  readonly clock: () => string;
}) => {
  const form = bodyLimit({
    maxSize: FORM_LIMIT,
    onError: (c) => errorJson(c, 'payload_too_large', `forms are limited to ${FORM_LIMIT} bytes`),
  });
  const page = (c: Context<AppEnv>, created?: { name: string; token: string }) => {
    const user = c.get('user');
    const view = deps.users().users.get(user.id);
    if (!view) return errorJson(c, 'not_found', 'the account page is for signed-in users');
    c.header('Cache-Control', 'no-store');
    return c.html(
      html`<!DOCTYPE html>${(
        <AccountPage
          shell={pageShell(c, deps.shell)}
          user={view}
          currentSession={user.sessionId}
          now={deps.clock()}
          {...(created ? { created } : {})}
        />
      )}`,
    );
  };
  const done = async (c: Context<AppEnv>, command: UserCommand) => {
    const failed = await deps.send(command, c.get('user').id);
    return failed ? respond(c, answer(failed)) : c.redirect('/account', 303);
  };

  const app = new Hono<AppEnv>()
    .get('/account', (c) => page(c))
    .post('/account/tokens', form, async (c) => {
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (name === '' || name.length > 64) {
        return errorJson(c, 'validation', 'name must be 1-64 characters');
      }
      const token = `ist_${randomBytes(32).toString('base64url')}`;
      const failed = await deps.send(
        {
          type: 'CreateApiToken',
          data: {
            id: c.get('user').id,
            tokenId: randomUUID(),
            name,
            hash: hashToken(token),
            now: deps.clock(),
          },
        },
        c.get('user').id,
      );
      if (failed) return respond(c, answer(failed));
      return page(c, { name, token });
    })
    .post('/account/tokens/:tokenId/revoke', (c) =>
      done(c, {
        type: 'RevokeApiToken',
        data: { id: c.get('user').id, tokenId: c.req.param('tokenId') },
      }),
    )
    .post('/account/sessions/:sessionId/revoke', (c) =>
      done(c, {
        type: 'EndSession',
        data: { id: c.get('user').id, sessionId: c.req.param('sessionId'), reason: 'revoked' },
      }),
    );

  const admin = new Hono<AppEnv>();
  admin.use('/api/users', requireAdmin);
  admin.use('/api/users/*', requireAdmin);
  const json = async (c: Context<AppEnv>, command: UserCommand) => {
    // User ids are UUIDs: anything else names nobody (and never reaches the store).
    if (!isUuid(command.data.id)) return errorJson(c, 'not_found', 'no such user');
    const failed = await deps.send(command, c.get('user').id);
    if (failed) return respond(c, answer(failed));
    const view = deps.users().users.get(command.data.id);
    return c.json({ user: { id: command.data.id, roles: view?.roles ?? [] } });
  };
  admin
    .get('/api/users', (c) =>
      c.json({
        users: [...deps.users().users.values()].slice(0, MAX_USERS_LISTED).map((u) => ({
          id: u.id,
          name: u.name,
          provider: u.provider,
          roles: u.roles,
          sessions: u.sessions.size,
        })),
      }),
    )
    .post('/api/users/:id/roles', async (c) => {
      const body = (await c.req.json().catch(() => null)) as { role?: unknown } | null;
      const role = body?.role;
      if (typeof role !== 'string' || !ROLE.test(role)) {
        return errorJson(c, 'validation', 'role must be 1-32 of a-z, 0-9 and -, starting a-z');
      }
      return json(c, { type: 'GrantRole', data: { id: c.req.param('id'), role } });
    })
    .delete('/api/users/:id/roles/:role', (c) => {
      const role = c.req.param('role');
      if (!ROLE.test(role)) return errorJson(c, 'validation', 'not a role name');
      return json(c, { type: 'RevokeRole', data: { id: c.req.param('id'), role } });
    })
    .post('/api/users/:id/sessions/revoke', (c) =>
      json(c, { type: 'EndAllSessions', data: { id: c.req.param('id') } }),
    );
  return app.route('/', admin);
};
