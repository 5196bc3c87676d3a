import type { SavedQuery } from '../query-sessions/saved-queries';
import { TODO_AGGREGATE_TYPE } from './todo-decider';

/** Saved analytics queries about todos, offered on the analytics page. */
export const TODO_SAVED_QUERIES: readonly SavedQuery[] = [
  {
    name: 'todo-completion-times',
    title: 'Todo completion times',
    sql: `WITH created AS (
  SELECT aggregate_id, min(created_at) AS at, any_value(payload ->> '$.text') AS text
  FROM events WHERE aggregate_type = 'Todo' AND event_type = 'TodoCreated' GROUP BY ALL
), completed AS (
  SELECT aggregate_id, min(created_at) AS at
  FROM events WHERE aggregate_type = 'Todo' AND event_type = 'TodoCompleted' GROUP BY ALL
)
SELECT created.text AS todo,
       round(date_diff('millisecond', created.at, completed.at) / 1000.0, 3) AS seconds_to_complete
FROM created JOIN completed USING (aggregate_id)
ORDER BY seconds_to_complete DESC
LIMIT 100`,
    dependsOn: [TODO_AGGREGATE_TYPE],
  },
];
