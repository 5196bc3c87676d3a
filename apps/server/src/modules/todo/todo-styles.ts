// The todo pages' CSS, added to every page's shell (plain CSS in a string: no build step).
export const TODO_STYLES = `
form.new { display: flex; gap: .5rem; margin-bottom: 1rem; }
ul.todos { list-style: none; padding: 0; margin: 0; }
ul.todos li { display: flex; gap: .5rem; align-items: center; padding: .4rem 0; border-bottom: 1px solid var(--line); }
ul.todos li.completed input[type=text] { text-decoration: line-through; color: var(--muted); }
ul.todos li input[type=text] { border-color: transparent; }
ul.todos li input[type=text]:focus { border-color: var(--line); }
.priority { font-size: .75rem; padding: .1rem .45rem; border-radius: 1rem; border: 1px solid var(--line); }
.priority.high { color: #d33; border-color: #d335; }
.priority.low { color: var(--muted); }
ul.todos.past li { padding: .35rem 0; cursor: pointer; }
ul.todos.past li.completed span.text { text-decoration: line-through; color: var(--muted); }
ul.todos.past li.selected { background: #6d5dfc22; }
ul.todos li a.machine-link { color: var(--muted); text-decoration: none; }
`;
