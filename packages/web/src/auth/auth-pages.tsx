/** @jsxImportSource hono/jsx */
import { Layout, type PageShell } from '../pages/layout';
import { Button, EmptyState, Panel, Table } from '../ui/components';
import type { UserView } from './users-read-model';

/** `/auth/login`: one button per configured provider (each starts its flow). */
export const LoginPage = (props: {
  shell: PageShell;
  providers: readonly { readonly name: string; readonly label: string }[];
  error?: string;
}) => (
  <Layout title="Sign in" shell={{ ...props.shell, nav: [] }} path="/auth/login">
    <Panel title="Sign in">
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <ul class="providers">
        {props.providers.map((provider) => (
          <li>
            <a class="button primary" href={`/auth/login?provider=${provider.name}`}>
              Sign in with {provider.label}
            </a>
          </li>
        ))}
      </ul>
    </Panel>
  </Layout>
);

/** A plain form posting to `action` (same origin: the CSRF check passes). */
const PostButton = (props: { action: string; label: string; kind?: 'danger' | 'quiet' }) => (
  <form method="post" action={props.action} class="inline">
    <Button type="submit" kind={props.kind ?? 'quiet'}>
      {props.label}
    </Button>
  </form>
);

/**
 * `/account`: the user's open sessions and API tokens, each revocable; a new token's value is
 * shown here once (`created`), never again.
 */
export const AccountPage = (props: {
  shell: PageShell;
  user: UserView;
  currentSession: string | undefined;
  created?: { readonly name: string; readonly token: string };
  now: string;
}) => {
  const { user } = props;
  const sessions = [...user.sessions.values()].filter((s) => s.expiresAt > props.now);
  return (
    <Layout title="Account" shell={props.shell} path="/account">
      <Panel title={`Signed in as ${user.name}`}>
        <p>
          Roles: {user.roles.length > 0 ? user.roles.join(', ') : 'none'} · user id{' '}
          <code>{user.id}</code>
        </p>
        <PostButton action="/auth/logout" label="Sign out" />
      </Panel>
      <Panel title="Sessions" id="sessions">
        <Table
          head={['Signed in', 'Expires', '']}
          rows={sessions.map((s) => [
            s.signedInAt,
            s.expiresAt,
            s.sessionId === props.currentSession ? (
              'this session'
            ) : (
              <PostButton
                action={`/account/sessions/${encodeURIComponent(s.sessionId)}/revoke`}
                label="Revoke"
                kind="danger"
              />
            ),
          ])}
        />
      </Panel>
      <Panel title="API tokens" id="tokens">
        {props.created ? (
          <p class="created-token" role="status">
            New token “{props.created.name}” (shown once, copy it now):{' '}
            <code id="new-token">{props.created.token}</code>
          </p>
        ) : null}
        {user.tokens.size === 0 ? (
          <EmptyState>No API tokens.</EmptyState>
        ) : (
          <Table
            head={['Name', 'Created', '']}
            rows={[...user.tokens.values()].map((t) => [
              t.name,
              t.createdAt,
              <PostButton
                action={`/account/tokens/${encodeURIComponent(t.tokenId)}/revoke`}
                label="Revoke"
                kind="danger"
              />,
            ])}
          />
        )}
        <form method="post" action="/account/tokens">
          <label>
            Name <input name="name" required maxlength={64} />
          </label>{' '}
          <Button type="submit" kind="primary">
            Create token
          </Button>
        </form>
      </Panel>
    </Layout>
  );
};
