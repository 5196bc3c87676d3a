/** @jsxImportSource hono/jsx */
import { action, Layout, LiveFeed, machineUrl, type PageShell } from '@ironstar/web';
import type { TodoItem } from './todo-list-projection';
import { TODO_TEXT_MAX } from './todo-text';

export const COMMAND_URL = '/api/commands/todo';
export const FEED_URL = '/feed';

// Signals `type`, `id` and `text` are exactly the command body @post sends; the ones starting
// with `_` are local to the page and never sent.
const SIGNALS = "{type: '', id: '', text: '', priority: 'normal', _draft: '', _notice: ''}";
const post = action('post', COMMAND_URL);
// Commands on a row carry the version it shows: if another tab changed it meanwhile, the
// server answers 412 instead of silently overwriting (no lost update).
const postAt = (version: number) =>
  action('post', COMMAND_URL, { headers: { 'If-Match': `"${version}"` } });

// Only validated UUIDs and numbers are ever placed inside these expressions, never user text.
const send = (type: 'complete' | 'reopen' | 'delete', todo: TodoItem) =>
  `$_notice = ''; $type = '${type}'; $id = '${todo.id}'; ${postAt(todo.version)}`;

// Failed commands arrive as Datastar 'error' events carrying the HTTP status.
const NOTICES: Record<string, string> = {
  '412': 'That todo was changed elsewhere; showing the latest.',
  '409': 'That is no longer possible; showing the latest.',
  '404': 'That todo is gone.',
  '400': 'Please check what you typed.',
  '503': 'The server cannot save right now; try again in a moment.',
};
const ON_ERROR = `evt.detail.type === 'error' && ($_notice = (${JSON.stringify(NOTICES)})[evt.detail.argsRaw.status] || 'Something went wrong.')`;
const busySignal = (id: string) => `_busy_${id.replaceAll('-', '')}`;

/** How many todos a page shows: `limit` now, `pageSize` more per "show more", up to `maxLimit`. */
export type TodoPaging = {
  readonly limit: number;
  readonly pageSize: number;
  readonly maxLimit: number;
};

/** The page's URL for a window size; the default size needs no query. */
export const todoPageUrl = (path: string, limit: number, paging: TodoPaging) =>
  limit === paging.pageSize ? path : `${path}?limit=${limit}`;

/** Counts, and how many of the newest todos are shown, with the way to see more. */
export const TodoSummary = (props: { total: number; completed: number; paging: TodoPaging }) => {
  const { total, completed, paging } = props;
  const shown = Math.min(total, paging.limit);
  const more = Math.min(paging.maxLimit, paging.limit + paging.pageSize);
  return (
    <div id="todo-summary" class="footer">
      <span id="todo-counts">
        {total - completed} of {total} left · {completed} completed
      </span>
      {total === 0 ? <span class="empty">Nothing to do yet.</span> : null}
      {total > shown ? (
        <span id="todo-more">
          showing the newest {shown}
          {more > paging.limit ? (
            <>
              {' '}
              · <a href={todoPageUrl('/', more, paging)}>show {more - paging.limit} more</a>
            </>
          ) : null}
        </span>
      ) : null}
    </div>
  );
};

/** The todo list region: the newest `paging.limit` todos, oldest of them first. */
export const TodoListView = (props: {
  todos: readonly TodoItem[];
  total: number;
  completed: number;
  paging: TodoPaging;
}) => (
  <section id="todos">
    <ul class="todos" id="todo-items" aria-label="Todos">
      {props.todos.map((todo) => (
        <TodoRow todo={todo} />
      ))}
    </ul>
    <TodoSummary total={props.total} completed={props.completed} paging={props.paging} />
  </section>
);

/** One todo; its id is the target of the feed's per-change patches. */
export const TodoRow = ({ todo }: { todo: TodoItem }) => {
  const busy = busySignal(todo.id);
  return (
    <li
      id={`todo-${todo.id}`}
      class={todo.completed ? 'completed' : undefined}
      data-signals={`{${busy}: false}`}
      data-class-pending={`$${busy}`}
    >
      <button
        id={`toggle-${todo.id}`}
        type="button"
        aria-label={todo.completed ? 'Reopen' : 'Complete'}
        data-indicator={`$${busy}`}
        data-on-click={send(todo.completed ? 'reopen' : 'complete', todo)}
      >
        {todo.completed ? '☑' : '☐'}
      </button>
      <input
        id={`text-${todo.id}`}
        type="text"
        aria-label="Todo text"
        maxlength={TODO_TEXT_MAX}
        value={todo.text}
        data-indicator={`$${busy}`}
        data-on-change={`$_notice = ''; $type = 'rename'; $id = '${todo.id}'; $text = evt.target.value; ${postAt(todo.version)}`}
      />
      {todo.priority === 'normal' ? null : (
        <span class={`priority ${todo.priority}`} title={`${todo.priority} priority`}>
          {todo.priority}
        </span>
      )}
      <button
        id={`delete-${todo.id}`}
        type="button"
        aria-label="Delete"
        data-indicator={`$${busy}`}
        data-on-click={send('delete', todo)}
      >
        ✕
      </button>
      {/* Its own view: where it is in the Todo state machine and how it got there, live. */}
      <a
        class="machine-link"
        href={machineUrl('Todo', todo.id)}
        title="Its state machine"
        aria-label="State machine"
      >
        ⎔
      </a>
    </li>
  );
};

export const TodoPage = (props: {
  shell: PageShell;
  todos: readonly TodoItem[];
  total: number;
  completed: number;
  paging: TodoPaging;
}) => (
  <Layout title="Todos" shell={props.shell}>
    <div id="app" data-signals={SIGNALS} data-on-datastar-sse={ON_ERROR}>
      <LiveFeed id="feed" url={todoPageUrl(FEED_URL, props.paging.limit, props.paging)} />
      <h1>Todos</h1>
      <form
        id="new-todo"
        class="new"
        data-indicator="$_creating"
        data-on-submit={`$_notice = ''; $type = 'create'; $text = $_draft; ${post}; $_draft = ''`}
      >
        <input
          id="new-todo-text"
          type="text"
          name="text"
          placeholder="What needs doing?"
          aria-label="New todo"
          autocomplete="off"
          required
          maxlength={TODO_TEXT_MAX}
          data-bind="_draft"
        />
        <select id="new-todo-priority" aria-label="Priority" data-bind="priority">
          <option value="low">low</option>
          <option value="normal" selected>
            normal
          </option>
          <option value="high">high</option>
        </select>
        <button class="primary" type="submit">
          Add
        </button>
        <span class="spinner" data-show="$_creating">
          saving…
        </span>
      </form>
      <p id="notice" class="notice" role="status" data-show="$_notice" data-text="$_notice" />
      <TodoListView
        todos={props.todos}
        total={props.total}
        completed={props.completed}
        paging={props.paging}
      />
    </div>
  </Layout>
);
