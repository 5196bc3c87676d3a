// The todo pages' own rules, on top of the one stylesheet (@ironstar/web STYLES).
export const TODO_STYLES = `
ul.todos { list-style: none; padding: 0; margin: 0; }
form.new { display: flex; gap: .5rem; margin-bottom: .25rem; }
form.new input[type=text] { min-width: 0; font-size: 1.05rem; padding: .55rem .75rem; }
form.new select { flex: none; }
.status { min-height: 1.5rem; margin: .15rem 0 .5rem; font-size: .9rem; }
.undo { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; padding: .4rem .75rem; margin-bottom: .75rem; border-radius: .5rem; background: var(--soft); }
#undo-text { display: inline-block; max-width: min(16rem, 60vw); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
.toggle-all { display: inline-flex; gap: .5rem; align-items: center; font-size: .9rem; color: var(--muted); padding: .25rem .25rem .5rem; cursor: pointer; }
ul.todos > li { flex-wrap: wrap; }
ul.todos li .text { flex: 1 1 8rem; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere; cursor: text; padding: .2rem .3rem; border-radius: .3rem; }
ul.todos li .text:hover { background: var(--soft); }
ul.todos li input[type=text] { flex: 1 1 8rem; display: none; }
ul.todos li.editing input[type=text] { display: block; }
ul.todos li.editing .text { display: none; }
ul.todos li .row-problem:empty { display: none; }
#app.blocked ul.todos li button.danger { opacity: .5; pointer-events: none; }
ul.todos li.completed .text { text-decoration: line-through; color: var(--muted); }
ul.todos li select.priority { font-size: .75rem; padding: .1rem .3rem; border-radius: 1rem; flex: none; }
ul.todos li select.priority.high { color: var(--bad); border-color: var(--bad); }
ul.todos li select.priority.low { color: var(--muted); }
ul.todos li button.icon { padding: .2rem .45rem; min-height: 2rem; }
ul.todos li .row-problem { flex-basis: 100%; margin: 0 0 0 1.75rem; font-size: .85rem; }
#todo-summary nav.filters { display: flex; gap: .25rem; }
#todo-summary nav.filters a { text-decoration: none; color: inherit; padding: .15rem .5rem; border: 1px solid transparent; border-radius: .4rem; }
#todo-summary nav.filters a[aria-current=page] { border-color: var(--accent); color: var(--accent); }
#todo-summary .empty { display: none; flex-basis: 100%; margin: 0; }
#todo-summary[data-total="0"] .none-at-all { display: block; }
#app[data-filter=active] #todo-items > li.completed, #app[data-filter=completed] #todo-items > li:not(.completed) { display: none; }
#app[data-filter=active] #todo-summary[data-active="0"]:not([data-total="0"]) .none-active { display: block; }
#app[data-filter=completed] #todo-summary[data-completed="0"]:not([data-total="0"]) .none-completed { display: block; }
ul.todos.past li { padding: .35rem 0; cursor: pointer; }
ul.todos.past li.completed span.text { text-decoration: line-through; color: var(--muted); }
ul.todos.past li.selected { background: color-mix(in srgb, var(--accent) 14%, transparent); }
ul.todos li a.machine-link { color: var(--muted); text-decoration: none; padding: .2rem .45rem; }
`;
