/** @jsxImportSource hono/jsx */
import type { TodoItem } from '@ironstar/application';
import { TODO_TEXT_MAX } from '@ironstar/domain';
import { action } from '../datastar/datastar-wire';
import { Layout } from './layout';

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

/** The todo list region: the fat-morph target of the feed. */
export const TodoListView = (props: { todos: readonly TodoItem[] }) => {
  const remaining = props.todos.filter((t) => !t.completed).length;
  return (
    <section id="todos">
      {props.todos.length === 0 ? (
        <p class="empty">Nothing to do yet.</p>
      ) : (
        <ul class="todos">
          {props.todos.map((todo) => (
            <TodoRow todo={todo} />
          ))}
        </ul>
      )}
      <p class="footer">
        <span>
          {remaining} of {props.todos.length} left
        </span>
      </p>
    </section>
  );
};

const TodoRow = ({ todo }: { todo: TodoItem }) => {
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
    </li>
  );
};

export const TodoPage = (props: { todos: readonly TodoItem[] }) => (
  <Layout title="Todos">
    <div id="app" data-signals={SIGNALS} data-on-datastar-sse={ON_ERROR}>
      <div
        id="feed"
        data-on-load__window={action('get', FEED_URL, {
          retryForever: true,
          retryMaxWaitMs: 5000,
          openWhenHidden: true,
        })}
      />
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
      <TodoListView todos={props.todos} />
    </div>
  </Layout>
);
