import { type ValidationError, validationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export const TODO_PRIORITIES = ['low', 'normal', 'high'] as const;
export type TodoPriority = (typeof TODO_PRIORITIES)[number];

export const TodoPriority = {
  /** Absent means 'normal'. */
  parse(raw: unknown): Result<TodoPriority, ValidationError> {
    if (raw === undefined || raw === null || raw === '') return ok('normal');
    return TODO_PRIORITIES.includes(raw as TodoPriority)
      ? ok(raw as TodoPriority)
      : err(validationError('priority', `priority must be one of ${TODO_PRIORITIES.join(', ')}`));
  },
};
