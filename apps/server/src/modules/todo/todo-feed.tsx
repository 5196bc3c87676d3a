/** @jsxImportSource hono/jsx */

import { type TopicRouter, userTopic } from '@ironstar/application';
import {
  type AppEnv,
  encodeText,
  errorJson,
  FEED_OPENED,
  mergeFragments,
  nonNegativeInt,
  removeFragments,
  type SseHub,
  sseTransport,
} from '@ironstar/web';
import { Hono } from 'hono';
import type { TodoIndex, TodoIndexChange, TodoIndexes } from './todo-index';
import { TodoListView, type TodoPaging, TodoRow, TodoSummary, TodoToolbar } from './todo-page';

const OPENED = encodeText(FEED_OPENED);
const ITEMS = '#todo-items';

/** The page size, and the most todos one window may show (`?limit=`). */
export type TodoWindowSettings = { readonly pageSize: number; readonly maxLimit: number };

export const todoWindowSettings = (pageSize = 200): TodoWindowSettings => ({
  pageSize,
  maxLimit: pageSize * 5,
});

/** `?limit=` of the page or the feed: absent is one page; outside 1..maxLimit is refused. */
export const parseLimit = (raw: string | undefined, settings: TodoWindowSettings) => {
  const limit = nonNegativeInt(raw, settings.pageSize);
  return limit === undefined || limit < 1 || limit > settings.maxLimit ? undefined : limit;
};

export const limitError = (settings: TodoWindowSettings) =>
  `limit must be an integer from 1 to ${settings.maxLimit}`;

/**
 * Renders the todo window and what each change does to it. Every frame is bounded by the
 * window, never by the list: a change is one row appended, morphed, removed or brought in, plus
 * the summary; the whole window is sent only to a (re)connecting or lagging client.
 */
export const createTodoFrames = (index: TodoIndex, settings: TodoWindowSettings) => {
  const paging = (limit: number): TodoPaging => ({ ...settings, limit });
  const row = (id: string | undefined) => {
    const todo = id === undefined ? undefined : index.get(id);
    return todo ? String(<TodoRow todo={todo} />) : undefined;
  };
  const summary = (limit: number) => {
    const { total, completed } = index.counts();
    return (
      String(<TodoToolbar total={total} completed={completed} />) +
      String(<TodoSummary total={total} completed={completed} paging={paging(limit)} />)
    );
  };

  /** The whole window (`<section id="todos">`), id = the projection's position. */
  const full = (limit: number) => {
    const { total, completed } = index.counts();
    const html = String(
      <TodoListView
        todos={index.newest(limit)}
        total={total}
        completed={completed}
        paging={paging(limit)}
      />,
    );
    return mergeFragments(html, { id: index.position() });
  };

  /** What `change` does to a client showing the newest `limit` todos; undefined: redraw all. */
  const patch = (change: TodoIndexChange, limit: number): string | undefined => {
    const events: string[] = [];
    switch (change.kind) {
      case 'reset':
        return undefined;
      case 'created': {
        const html = row(change.id);
        if (html) events.push(mergeFragments(html, { selector: ITEMS, mergeMode: 'append' }));
        // The window was full: its oldest row leaves.
        const leaving = index.nthNewest(limit + 1);
        if (leaving !== undefined) events.push(removeFragments(`#todo-${leaving}`));
        break;
      }
      case 'restored': {
        if (change.newer >= limit) break; // older than the window shows
        const html = row(change.id);
        // In its old place: before the todo created next after it, or last if none is.
        const next = change.newer === 0 ? undefined : index.nthNewest(change.newer);
        if (html) {
          events.push(
            next === undefined
              ? mergeFragments(html, { selector: ITEMS, mergeMode: 'append' })
              : mergeFragments(html, { selector: `#todo-${next}`, mergeMode: 'before' }),
          );
        }
        const leaving = index.nthNewest(limit + 1);
        if (leaving !== undefined) events.push(removeFragments(`#todo-${leaving}`));
        break;
      }
      case 'updated': {
        const html = change.newer < limit ? row(change.id) : undefined;
        if (html) events.push(mergeFragments(html));
        break;
      }
      case 'deleted': {
        if (change.newer < limit) {
          events.push(removeFragments(`#todo-${change.id}`));
          // The next older todo moves into the window, at its top.
          const html = row(index.nthNewest(limit));
          if (html) events.push(mergeFragments(html, { selector: ITEMS, mergeMode: 'prepend' }));
        }
        break;
      }
    }
    // The summary goes last and carries the id: a client that got only part of a frame
    // reconnects with the previous id and is sent the whole window.
    events.push(mergeFragments(summary(limit), { id: change.sequence }));
    return events.join('');
  };

  return { full, patch };
};

/** Where a reset (every user's list redrawn) is published: every feed listens to it too. */
export const TODOS_RESET_TOPIC = 'todos/reset';

/** The topic of one user's todo changes. */
export const todoTopic = (owner: string) => userTopic(owner, 'todos');

/**
 * Publishes each change of the index under its owner's topic (a reset under
 * TODOS_RESET_TOPIC): a feed then hears of its own user's changes only.
 */
export const routeTodoChanges = (indexes: TodoIndexes, router: TopicRouter<TodoIndexChange>) =>
  indexes.onChange((owner, change) => {
    router.publish(owner === undefined ? TODOS_RESET_TOPIC : todoTopic(owner), change);
  });

/** Renders a frame once per position and window size, for every connection of one user. */
const frameCache = <K,>(render: (key: K) => string | undefined) => {
  let at = -1;
  const byLimit = new Map<number, Uint8Array | undefined>();
  return (position: number, limit: number, key: K) => {
    if (position !== at || byLimit.size >= 16) {
      at = position;
      byLimit.clear();
    }
    if (!byLimit.has(limit)) {
      const text = render(key);
      byLimit.set(limit, text === undefined ? undefined : encodeText(text));
    }
    return byLimit.get(limit);
  };
};

/**
 * `GET /feed[?limit=]`: the Datastar feed of the user's todo page. On connect, the window of
 * the user's newest todos once (unless Last-Event-ID says the client has this very state);
 * then one small patch per change of that user's todos, `id:` = its global sequence. The
 * connection subscribes to its user's topic only, so another user's change costs it nothing.
 * A client that stops taking data is sent nothing meanwhile and the whole window once it drains.
 */
export const todoFeedRoutes = (deps: {
  indexes: TodoIndexes;
  router: TopicRouter<TodoIndexChange>;
  hub: SseHub;
  settings: TodoWindowSettings;
  compression?: boolean;
}) => {
  // Per user with an open feed (dropped with its last connection): the frames, rendered once.
  const users = new Map<
    string,
    {
      index: TodoIndex;
      full: (position: number, limit: number, key: number) => Uint8Array | undefined;
      patch: (
        position: number,
        limit: number,
        key: [TodoIndexChange, number],
      ) => Uint8Array | undefined;
      connections: number;
    }
  >();
  const userOf = (owner: string) => {
    let user = users.get(owner);
    if (!user) {
      const index = deps.indexes.of(owner);
      const frames = createTodoFrames(index, deps.settings);
      user = {
        index,
        full: frameCache((limit: number) => frames.full(limit)),
        patch: frameCache(([change, limit]: [TodoIndexChange, number]) =>
          frames.patch(change, limit),
        ),
        connections: 0,
      };
      users.set(owner, user);
    }
    return user;
  };

  return new Hono<AppEnv>().get('/feed', (c) => {
    const limit = parseLimit(c.req.query('limit'), deps.settings);
    if (limit === undefined) return errorJson(c, 'validation', limitError(deps.settings));
    const lastEventId = nonNegativeInt(c.req.header('last-event-id'), -1) ?? -1;
    const owner = c.get('user').id;
    return deps.hub.open(
      'todos',
      (connection) => {
        const user = userOf(owner);
        const { index } = user;
        user.connections++;
        let synced = false;
        let waiting = false;
        const sendWindow = () => {
          if (connection.writable()) {
            const bytes = user.full(index.position(), limit, limit);
            if (bytes) connection.send(bytes);
            synced = true;
            return;
          }
          if (waiting) return;
          waiting = true;
          connection.onDrain(() => {
            waiting = false;
            sendWindow();
          });
        };
        const onChange = (change: TodoIndexChange) => {
          if (synced && connection.writable()) {
            const bytes = user.patch(change.sequence, limit, [change, limit]);
            if (bytes) {
              connection.send(bytes);
              return;
            }
          }
          synced = false;
          sendWindow();
        };
        // Subscribe first, then bring the client up to date: no change falls in between.
        const unsubscribe = [
          deps.router.subscribe(todoTopic(owner), onChange),
          deps.router.subscribe(TODOS_RESET_TOPIC, onChange),
        ];
        connection.onClose(() => {
          for (const stop of unsubscribe) stop();
          if (--user.connections === 0) users.delete(owner);
        });
        connection.send(OPENED);
        // The client shows this user's list as it is if its last frame came after the user's
        // last change (other users' changes since then are none of its business).
        if (lastEventId >= index.changedAt() && lastEventId <= index.position()) synced = true;
        else sendWindow();
      },
      sseTransport(c, deps.compression),
    );
  });
};
