import { assertNever, type Decider, type Message } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';
import type { TodoId } from './todo-id';
import type { TodoPriority } from './todo-priority';
import type { TodoText } from './todo-text';

export const TODO_AGGREGATE_TYPE = 'Todo';

// Commands: imperative, carrying the id and the time the application chose, and who sends
// them (`actor`): a todo answers only its owner.
export type CreateTodo = Message<
  'CreateTodo',
  { id: TodoId; text: TodoText; priority: TodoPriority; now: string; actor: string }
>;
export type RenameTodo = Message<'RenameTodo', { id: TodoId; text: TodoText; actor: string }>;
export type CompleteTodo = Message<'CompleteTodo', { id: TodoId; now: string; actor: string }>;
export type ReopenTodo = Message<'ReopenTodo', { id: TodoId; actor: string }>;
export type DeleteTodo = Message<'DeleteTodo', { id: TodoId; actor: string }>;
/** Undo of a delete: the todo comes back as it was. */
export type RestoreTodo = Message<'RestoreTodo', { id: TodoId; actor: string }>;
export type ChangeTodoPriority = Message<
  'ChangeTodoPriority',
  { id: TodoId; priority: TodoPriority; actor: string }
>;
export type TodoCommand =
  | CreateTodo
  | RenameTodo
  | CompleteTodo
  | ReopenTodo
  | DeleteTodo
  | RestoreTodo
  | ChangeTodoPriority;

// Events: past tense, the persistence schema itself.
/** Version 2 added `priority`, version 3 `owner` (see todo-upcasters.ts). */
export type TodoCreated = Message<
  'TodoCreated',
  { id: string; text: string; priority: TodoPriority; createdAt: string; owner: string }
>;
export type TodoRenamed = Message<'TodoRenamed', { id: string; text: string }>;
export type TodoCompleted = Message<'TodoCompleted', { id: string; completedAt: string }>;
export type TodoReopened = Message<'TodoReopened', { id: string }>;
export type TodoDeleted = Message<'TodoDeleted', { id: string }>;
/** Carries the whole todo as it was deleted, so read models can bring it back (v2: owner). */
export type TodoRestored = Message<
  'TodoRestored',
  {
    id: string;
    owner: string;
    text: string;
    priority: TodoPriority;
    createdAt: string;
    completedAt: string | null;
  }
>;
export type TodoPriorityChanged = Message<
  'TodoPriorityChanged',
  { id: string; priority: TodoPriority }
>;
export type TodoEvent =
  | TodoCreated
  | TodoRenamed
  | TodoCompleted
  | TodoReopened
  | TodoDeleted
  | TodoRestored
  | TodoPriorityChanged;

/** What a todo is; a deleted one keeps it, for a restore. */
export type TodoFacts = {
  readonly id: string;
  /** The user who created it: the only one it exists for. */
  readonly owner: string;
  readonly text: string;
  readonly priority: TodoPriority;
  readonly createdAt: string;
  readonly completedAt: string | null;
};

export type TodoState =
  | { readonly status: 'missing' }
  | ({ readonly status: 'active' | 'completed' } & TodoFacts)
  | { readonly status: 'deleted'; readonly id: string; readonly was: TodoFacts };

export type TodoError =
  | { readonly type: 'TodoNotFound'; readonly id: string }
  | { readonly type: 'TodoAlreadyExists'; readonly id: string }
  | { readonly type: 'TodoIsDeleted'; readonly id: string }
  | { readonly type: 'TodoAlreadyCompleted'; readonly id: string }
  | { readonly type: 'TodoNotCompleted'; readonly id: string }
  | { readonly type: 'TodoNotDeleted'; readonly id: string };

export const initialState = (): TodoState => ({ status: 'missing' });

export const evolve = (state: TodoState, event: TodoEvent): TodoState => {
  switch (event.type) {
    case 'TodoCreated':
      return {
        status: 'active',
        id: event.data.id,
        owner: event.data.owner,
        text: event.data.text,
        priority: event.data.priority,
        createdAt: event.data.createdAt,
        completedAt: null,
      };
    case 'TodoRenamed':
      return state.status === 'active' || state.status === 'completed'
        ? { ...state, text: event.data.text }
        : state;
    case 'TodoCompleted':
      return state.status === 'active'
        ? { ...state, status: 'completed', completedAt: event.data.completedAt }
        : state;
    case 'TodoReopened':
      return state.status === 'completed'
        ? { ...state, status: 'active', completedAt: null }
        : state;
    case 'TodoPriorityChanged':
      return state.status === 'active' || state.status === 'completed'
        ? { ...state, priority: event.data.priority }
        : state;
    case 'TodoDeleted': {
      if (state.status !== 'active' && state.status !== 'completed') return state;
      const { status: _, ...was } = state;
      return { status: 'deleted', id: event.data.id, was };
    }
    case 'TodoRestored': {
      if (state.status !== 'deleted') return state;
      const { id, owner, text, priority, createdAt, completedAt } = event.data;
      const facts = { id, owner, text, priority, createdAt, completedAt };
      return { status: completedAt === null ? 'active' : 'completed', ...facts };
    }
    default:
      return assertNever(event);
  }
};

/** Whose a todo is (undefined: no todo). */
export const ownerOf = (state: TodoState): string | undefined => {
  switch (state.status) {
    case 'missing':
      return undefined;
    case 'deleted':
      return state.was.owner;
    default:
      return state.owner;
  }
};

export const decide = (
  command: TodoCommand,
  state: TodoState,
): Result<readonly TodoEvent[], TodoError> => {
  const { id, actor } = command.data;
  if (command.type === 'CreateTodo') {
    // Someone else's todo of that id exists: the same answer, so ids reveal nothing.
    if (state.status !== 'missing') return err({ type: 'TodoAlreadyExists', id });
    const { text, priority, now } = command.data;
    return ok([
      { type: 'TodoCreated', data: { id, text, priority, createdAt: now, owner: actor } },
    ]);
  }
  // Another user's todo does not exist for this one: the answer a missing todo gets.
  if (ownerOf(state) !== actor) return err({ type: 'TodoNotFound', id });
  if (state.status === 'missing') return err({ type: 'TodoNotFound', id });
  if (command.type === 'RestoreTodo') {
    if (state.status !== 'deleted') return err({ type: 'TodoNotDeleted', id });
    return ok([{ type: 'TodoRestored', data: { ...state.was } }]);
  }
  if (state.status === 'deleted') return err({ type: 'TodoIsDeleted', id });

  switch (command.type) {
    case 'RenameTodo':
      // Renaming to the same text changes nothing, so it records nothing.
      if (state.text === command.data.text) return ok([]);
      return ok([{ type: 'TodoRenamed', data: { id, text: command.data.text } }]);
    case 'CompleteTodo':
      if (state.status === 'completed') return err({ type: 'TodoAlreadyCompleted', id });
      return ok([{ type: 'TodoCompleted', data: { id, completedAt: command.data.now } }]);
    case 'ReopenTodo':
      if (state.status !== 'completed') return err({ type: 'TodoNotCompleted', id });
      return ok([{ type: 'TodoReopened', data: { id } }]);
    case 'DeleteTodo':
      return ok([{ type: 'TodoDeleted', data: { id } }]);
    case 'ChangeTodoPriority':
      if (state.priority === command.data.priority) return ok([]);
      return ok([{ type: 'TodoPriorityChanged', data: { id, priority: command.data.priority } }]);
    default:
      return assertNever(command);
  }
};

export const todoDecider: Decider<TodoCommand, TodoEvent, TodoState, TodoError> = {
  initialState,
  evolve,
  decide,
};
