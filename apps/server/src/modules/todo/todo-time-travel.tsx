/** @jsxImportSource hono/jsx */
import type { TimeTravelProps } from '@ironstar/web';
import { TODO_AGGREGATE_TYPE } from './todo-decider';
import type { TodoItem, TodoList } from './todo-list-projection';

/** Past todos drawn per view: the patch stays small however long the list was. */
export const MAX_PAST_TODOS = 300;

const PastTodos = (props: {
  todos: readonly TodoItem[];
  selected: string | undefined;
  select: TimeTravelProps<TodoList>['select'];
}) => (
  <ul class="todos past" id="tt-todos">
    {props.todos.map((todo) => (
      <li
        id={`tt-todo-${todo.id}`}
        class={
          [todo.completed ? 'completed' : '', todo.id === props.selected ? 'selected' : '']
            .join(' ')
            .trim() || undefined
        }
        data-on-click={props.select(TODO_AGGREGATE_TYPE, todo.id)}
      >
        <span aria-hidden="true">{todo.completed ? '☑' : '☐'}</span>{' '}
        <span class="text" dir="auto">
          {todo.text}
        </span>
        {todo.priority === 'normal' ? null : (
          <>
            {' '}
            <span class={`badge ${todo.priority}`}>{todo.priority}</span>
          </>
        )}
      </li>
    ))}
  </ul>
);

/** The todo list as it was after event `at`, for the time-travel page. */
export const TodoListThen = ({ state, at, selected, select }: TimeTravelProps<TodoList>) => {
  // The dashboard is the admins': everyone's todos, one owner after another.
  const todos = [...state.byOwner.values()].flatMap((owned) => [...owned.values()]);
  const remaining = todos.filter((t) => !t.completed).length;
  return (
    <>
      <h2>Todos as of #{at}</h2>
      {todos.length === 0 ? <p class="empty">No todos at this point.</p> : null}
      <PastTodos
        todos={todos.slice(0, MAX_PAST_TODOS)}
        selected={selected?.aggregateId}
        select={select}
      />
      {todos.length > MAX_PAST_TODOS ? (
        <p class="muted small" id="tt-more">
          …and {todos.length - MAX_PAST_TODOS} more not drawn.
        </p>
      ) : null}
      <p class="footer">
        <span id="tt-count">
          {remaining} of {todos.length} left
        </span>
        <span class="muted small">click a todo for its history</span>
      </p>
    </>
  );
};
