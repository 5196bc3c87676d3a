/** @jsxImportSource hono/jsx */
import type { ProjectionRunner, TodoList } from '@ironstar/application';
import { Hono } from 'hono';
import { nonNegativeInt } from '../api/read-routes';
import type { AppEnv } from '../app-env';
import { mergeFragments } from '../datastar/datastar-wire';
import { TodoListView } from '../pages/todo-page';
import { latestPush } from '../sse/latest-push';
import { encodeSseMessage } from '../sse/sse-frame';
import { encodeText, type SseHub } from '../sse/sse-hub';
import { sseTransport } from '../sse/sse-transport';

const RETRY = encodeText(encodeSseMessage({ retry: 1000 }));

/**
 * `GET /feed`: the Datastar feed of the todo page. Each frame is a fat morph of the whole
 * list, `id:` = the projection's global sequence, so a reconnect with Last-Event-ID needs at
 * most one frame, and a slow client simply skips to the newest state.
 */
export const todoFeedRoutes = (deps: {
  todoList: ProjectionRunner<TodoList>;
  hub: SseHub;
  compression?: boolean;
}) => {
  // Rendered once per projection position and shared by every connection.
  let cached: { position: number; bytes: Uint8Array } | undefined;
  const frameAt = (position: number) => {
    if (cached?.position !== position) {
      const html = String(<TodoListView todos={[...deps.todoList.state().values()]} />);
      cached = { position, bytes: encodeText(mergeFragments(html, { id: position })) };
    }
    return cached.bytes;
  };

  return new Hono<AppEnv>().get('/feed', (c) => {
    const lastEventId = nonNegativeInt(c.req.header('last-event-id'), -1);
    return deps.hub.open(
      'todos',
      (connection) => {
        const position = deps.todoList.position;
        const push = latestPush(connection, position, () => frameAt(position()), lastEventId);
        // Subscribe first, then bring the client up to date.
        const unsubscribe = deps.todoList.onChange(push);
        connection.onClose(unsubscribe);
        connection.send(RETRY);
        push();
      },
      sseTransport(c, deps.compression),
    );
  });
};
