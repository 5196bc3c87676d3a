/** @jsxImportSource hono/jsx */
import {
  askRow,
  COMMANDS_BLOCKED,
  commandAction,
  Layout,
  LiveFeed,
  machineUrl,
  type PageShell,
  RowCommandButton,
  Shortcuts,
} from '@ironstar/web';
import type { TodoItem } from './todo-list-projection';
import { TODO_PRIORITIES } from './todo-priority';
import { TODO_TEXT_MAX } from './todo-text';

export const COMMAND_URL = '/api/commands/todo';
export const BULK_URL = '/api/todos/bulk';
export const FEED_URL = '/feed';

/** Which todos the list shows; `?filter=` of the page. */
export const TODO_FILTERS = ['all', 'active', 'completed'] as const;
export type TodoFilter = (typeof TODO_FILTERS)[number];

// Signals `type`, `id`, `text`, `priority` and `action` are the command body @post sends; the
// ones starting with `_` are local to the page (`_editing`: the todo whose text is being
// edited, `_editText` what has been typed there and `_editFrom` its text when the edit began;
// `_noticeAt`: where the last refusal is shown, 'new' or a todo's id).
const signals = (filter: TodoFilter) =>
  JSON.stringify({
    _filter: filter,
    type: '',
    id: '',
    text: '',
    priority: 'normal',
    action: '',
    _draft: '',
    _newPriority: 'normal',
    _editing: '',
    _editText: '',
    _editFrom: '',
    _noticeAt: '',
    _undoId: '',
    _undoText: '',
  });

// Only validated UUIDs, numbers and our own words are placed in these expressions, never user
// text: user text travels in signals and is shown with data-text (textContent). A row's
// controls hand their command to one handler on #app (a bubbling 'todo-command' event naming
// it), which reads the todo's id and version from the row (data-id, data-version): each row
// carries a few short expressions, not a copy of the command machinery per control.
const TODO_COMMAND_EVENT = 'todo-command';
const ask = (type: string) => askRow(TODO_COMMAND_EVENT, type);
const ROW = "evt.target.closest('li').dataset";
const ROW_COMMAND = commandAction(COMMAND_URL, {
  target: 'evt.target.id',
  prepare: [
    `$_noticeAt = ${ROW}.id`,
    '$type = evt.detail',
    '$id = $_noticeAt',
    "evt.detail === 'rename' && ($text = evt.target.value)",
    "evt.detail === 'prioritize' && ($priority = evt.target.value)",
    "evt.detail === 'delete' && ($_undoText = evt.target.closest('li').querySelector('.text').textContent)",
  ],
  ifMatchExpression: `'"' + ${ROW}.version + '"'`,
});
// Opening an edit is asked of #app too (one handler): it notes the text it starts from.
const TODO_EDIT_EVENT = 'todo-edit';
const EDIT = `ctx.el.dispatchEvent(new CustomEvent('${TODO_EDIT_EVENT}', {bubbles: true}))`;
const START_EDIT =
  "const f = evt.target.closest('li').querySelector('input[type=text]'); $_editing = f.closest('li').dataset.id, $_editFrom = f.defaultValue, $_editText = f.value, f.focus()";
// A redraw of the list (a reconnect that missed changes) morphs the open field back to the
// server's text; after each merge, this puts back what was typed, unless the todo itself was
// renamed meanwhile (then its new text shows). One handler for the page, not one per row.
const RESUME_EDIT =
  "evt.detail.type === 'datastar-merge-fragments' && $_editing && (f => f && f.defaultValue === $_editFrom && f.value !== $_editText && (f.value = $_editText))(document.getElementById('text-' + $_editing))";
// A refused command puts the control back as the server last said it was.
const RESTORE_VALUE = 'evt.detail.accepted || (evt.target.value = evt.target.defaultValue)';
const RESTORE_CHECKED = 'evt.detail.accepted || (evt.target.checked = evt.target.defaultChecked)';
const RENAME = `${ask('rename')}; $_editing = ''`;
const CANCEL_EDIT =
  "evt.key === 'Escape' && (evt.target.value = evt.target.defaultValue, $_editing = '')";
const PRIORITIZE = ask('prioritize');
const COMPLETE = ask('complete');
const REOPEN = ask('reopen');

const createTodo = commandAction(COMMAND_URL, {
  prepare: [
    "$_noticeAt = 'new'",
    "$type = 'create'",
    '$text = $_draft',
    '$priority = $_newPriority',
  ],
});
const bulk = (action: 'complete-all' | 'reopen-all' | 'clear-completed') =>
  commandAction(BULK_URL, { prepare: ["$_noticeAt = ''", `$action = '${action}'`] });
const undo = commandAction(COMMAND_URL, {
  prepare: ["$_noticeAt = ''", "$type = 'restore'", '$id = $_undoId'],
});

// The page's keys; typing in a field is never taken for a shortcut.
const KEYS = [
  "const t = evt.target; const typing = t.matches('input, textarea, select, [contenteditable]')",
  "!typing && !evt.ctrlKey && !evt.metaKey && !evt.altKey && (evt.key === 'n' || evt.key === '/') && (evt.preventDefault(), document.getElementById('new-todo-text').focus())",
  "!typing && !evt.ctrlKey && !evt.metaKey && evt.key === 'z' && $_undoId && document.getElementById('undo-button').click()",
].join('; ');

export const SHORTCUTS = [
  ['N', 'new todo'],
  ['Enter', 'add / save'],
  ['Esc', 'cancel the edit'],
  ['double-click', 'edit a todo'],
  ['Z', 'undo a delete'],
] as const;

/** How many todos a page shows: `limit` now, `pageSize` more per "show more", up to `maxLimit`. */
export type TodoPaging = {
  readonly limit: number;
  readonly pageSize: number;
  readonly maxLimit: number;
};

/** The page's URL for a window size and filter; defaults need no query. */
export const todoPageUrl = (
  path: string,
  limit: number,
  paging: TodoPaging,
  filter: TodoFilter = 'all',
) => {
  const query = new URLSearchParams();
  if (filter !== 'all') query.set('filter', filter);
  if (limit !== paging.pageSize) query.set('limit', String(limit));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Counts, the filters, "clear completed", and how many of the newest todos are shown. The
 * same for every client (it is cached per window): the filter links read the page's own
 * filter from the URL (data-attr), and CSS picks the empty message for it.
 */
export const TodoSummary = (props: { total: number; completed: number; paging: TodoPaging }) => {
  const { total, completed, paging } = props;
  const active = total - completed;
  const shown = Math.min(total, paging.limit);
  const more = Math.min(paging.maxLimit, paging.limit + paging.pageSize);
  return (
    <div
      id="todo-summary"
      class="footer"
      data-total={String(total)}
      data-active={String(active)}
      data-completed={String(completed)}
    >
      <p class="empty none-at-all">Nothing to do yet. Add your first todo above.</p>
      <p class="empty none-active">Nothing left to do.</p>
      <p class="empty none-completed">Nothing completed yet.</p>
      <span id="todo-counts">{plural(active, 'item left', 'items left')}</span>
      <nav class="filters" aria-label="Show">
        {TODO_FILTERS.map((f) => (
          <a
            id={`filter-${f}`}
            href={todoPageUrl('/', paging.limit, paging, f)}
            data-attr-aria-current={`$_filter === '${f}' ? 'page' : false`}
          >
            {f === 'all'
              ? `All ${total}`
              : f === 'active'
                ? `Active ${active}`
                : `Completed ${completed}`}
          </a>
        ))}
      </nav>
      {completed > 0 ? (
        <button
          type="button"
          id="clear-completed"
          class="quiet"
          data-attr-disabled={COMMANDS_BLOCKED}
          data-on-click={bulk('clear-completed')}
        >
          Clear completed
        </button>
      ) : null}
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

/** Above the list: "complete all" / "reopen all" (sent with the summary on every change). */
export const TodoToolbar = (props: { total: number; completed: number }) => {
  const allDone = props.total > 0 && props.completed === props.total;
  return (
    <div id="todo-toolbar">
      {props.total > 0 ? (
        <label class="toggle-all">
          <input
            type="checkbox"
            id="toggle-all"
            checked={allDone}
            data-attr-disabled={COMMANDS_BLOCKED}
            data-on-change={bulk(allDone ? 'reopen-all' : 'complete-all')}
          />
          {allDone ? 'Reopen all' : 'Complete all'}
        </label>
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
}) => {
  return (
    <section id="todos">
      <TodoToolbar total={props.total} completed={props.completed} />
      <ul class="items todos" id="todo-items" aria-label="Todos">
        {props.todos.map((todo) => (
          <TodoRow todo={todo} />
        ))}
      </ul>
      <TodoSummary total={props.total} completed={props.completed} paging={props.paging} />
    </section>
  );
};

/** One todo; its id is the target of the feed's per-change patches. */
export const TodoRow = ({ todo }: { todo: TodoItem }) => (
  <li
    id={`todo-${todo.id}`}
    class={todo.completed ? 'completed' : undefined}
    data-id={todo.id}
    data-version={String(todo.version)}
    data-class-editing={`$_editing === '${todo.id}'`}
  >
    <input
      type="checkbox"
      id={`toggle-${todo.id}`}
      checked={todo.completed}
      aria-label={todo.completed ? 'Reopen' : 'Complete'}
      data-attr-disabled={COMMANDS_BLOCKED}
      data-on-change={todo.completed ? REOPEN : COMPLETE}
      data-on-ironstar-command={RESTORE_CHECKED}
    />
    <span class="text" dir="auto" title="Double-click to edit" data-on-dblclick={EDIT}>
      {todo.text}
    </span>
    <input
      id={`text-${todo.id}`}
      type="text"
      dir="auto"
      aria-label="Todo text"
      maxlength={TODO_TEXT_MAX}
      value={todo.text}
      data-on-change={RENAME}
      data-on-keydown={CANCEL_EDIT}
      data-on-blur="$_editing = ''"
      data-on-ironstar-command={RESTORE_VALUE}
    />
    <select
      id={`priority-${todo.id}`}
      class={`priority ${todo.priority}`}
      aria-label="Priority"
      data-attr-disabled={COMMANDS_BLOCKED}
      data-on-change={PRIORITIZE}
      data-on-ironstar-command={RESTORE_VALUE}
    >
      {TODO_PRIORITIES.map((p) => (
        <option value={p} selected={p === todo.priority}>
          {p}
        </option>
      ))}
    </select>
    <button
      id={`edit-${todo.id}`}
      type="button"
      class="quiet icon"
      aria-label="Edit"
      title="Edit"
      data-on-click={EDIT}
    >
      ✎
    </button>
    <RowCommandButton
      event={TODO_COMMAND_EVENT}
      command="delete"
      id={`delete-${todo.id}`}
      class="quiet icon danger"
      aria-label="Delete"
      title="Delete"
    >
      ✕
    </RowCommandButton>
    {/* Its own view: where it is in the Todo state machine and how it got there, live. */}
    <a
      class="machine-link quiet icon"
      href={machineUrl('Todo', todo.id)}
      title="Its state machine"
      aria-label="State machine"
    >
      ⎔
    </a>
    <p
      class="problem row-problem"
      role="alert"
      data-text={`$_noticeAt === '${todo.id}' ? $_notice : ''`}
    />
  </li>
);

export const TodoPage = (props: {
  shell: PageShell;
  todos: readonly TodoItem[];
  total: number;
  completed: number;
  paging: TodoPaging;
  filter: TodoFilter;
}) => (
  <Layout title="Todos" shell={props.shell}>
    <div
      id="app"
      data-filter={props.filter}
      data-class-blocked={COMMANDS_BLOCKED}
      data-signals={signals(props.filter)}
      data-on-keydown__window={KEYS}
      data-on-datastar-sse__window={RESUME_EDIT}
      data-on-input={
        "evt.target.matches('#todo-items input[type=text]') && ($_editText = evt.target.value)"
      }
      {...{
        [`data-on-${TODO_COMMAND_EVENT}`]: ROW_COMMAND,
        [`data-on-${TODO_EDIT_EVENT}`]: START_EDIT,
      }}
      data-on-ironstar-command__window={
        "evt.detail.accepted && evt.detail.elId.startsWith('delete-') && ($_undoId = evt.detail.elId.slice(7)); evt.detail.accepted && evt.detail.elId === 'undo-button' && ($_undoId = '')"
      }
    >
      <LiveFeed id="feed" url={todoPageUrl(FEED_URL, props.paging.limit, props.paging)} />
      <h1>Todos</h1>
      <form
        id="new-todo"
        class="new"
        data-on-submit={createTodo}
        data-on-ironstar-command="evt.detail.accepted && ($_draft = '')"
      >
        <input
          id="new-todo-text"
          type="text"
          name="text"
          dir="auto"
          placeholder="What needs doing?"
          aria-label="New todo"
          autocomplete="off"
          maxlength={TODO_TEXT_MAX}
          data-bind="_draft"
        />
        <select id="new-todo-priority" aria-label="Priority" data-bind="_newPriority">
          {TODO_PRIORITIES.map((p) => (
            <option value={p} selected={p === 'normal'}>
              {p}
            </option>
          ))}
        </select>
        <button class="primary" type="submit" data-attr-disabled={COMMANDS_BLOCKED}>
          Add
        </button>
      </form>
      <p id="new-todo-status" class="status" role="status">
        <span
          class="spinner"
          id="saving"
          style="display: none"
          data-show="$_pending !== '' && !$_queued"
        >
          saving…
        </span>
        <span class="notice" id="queued" style="display: none" data-show="$_queued">
          The server is unreachable: your change is kept and sent again as soon as it is back.
        </span>
        <span
          class="problem"
          id="new-todo-problem"
          role="alert"
          style="display: none"
          data-show="$_notice && $_noticeAt === 'new'"
          data-text="$_notice"
        />
        <span
          class="problem"
          id="notice"
          role="alert"
          style="display: none"
          data-show="$_notice && $_noticeAt === ''"
          data-text="$_notice"
        />
      </p>
      <div id="undo" class="undo" role="status" style="display: none" data-show="$_undoId">
        <span>
          Deleted “<span id="undo-text" dir="auto" data-text="$_undoText" />
          ”.
        </span>
        <button
          type="button"
          id="undo-button"
          data-attr-disabled={COMMANDS_BLOCKED}
          data-on-click={undo}
        >
          Undo
        </button>
        <button type="button" class="quiet" aria-label="Dismiss" data-on-click="$_undoId = ''">
          ✕
        </button>
      </div>
      <TodoListView
        todos={props.todos}
        total={props.total}
        completed={props.completed}
        paging={props.paging}
      />
      <Shortcuts keys={SHORTCUTS} />
    </div>
  </Layout>
);
