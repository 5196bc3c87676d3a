// The one stylesheet of every ironstar page: plain CSS in a string (no build step, no CDN).
// Colours carry meaning (--ok, --warn, --bad, --info), never position; every rule keeps a page
// within a 390 px wide viewport (long words break, wide tables scroll inside their panel).
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #fbfbfd; --fg: #1c1e24; --panel: #ffffff; --muted: #646b78; --line: #d9dce3;
  --soft: #f0f1f5; --accent: #5b4be0; --accent-fg: #ffffff; --link: #4a3dc9;
  --ok: #15803d; --warn: #b45309; --bad: #c81e1e; --info: #0e7490; --lag: #9333ea;
  --radius: .6rem; --shadow: 0 1px 2px #0000000f, 0 1px 8px #0000000a;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14151a; --fg: #e6e7ec; --panel: #1c1e25; --muted: #9aa0ad; --line: #30333d;
    --soft: #23262f; --accent: #8b7dff; --accent-fg: #0f0f14; --link: #a99fff;
    --ok: #4ade80; --warn: #fbbf24; --bad: #f87171; --info: #22d3ee; --lag: #c084fc;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Ubuntu, "Liberation Sans", "DejaVu Sans", system-ui, sans-serif; background: var(--bg); color: var(--fg); overflow-wrap: anywhere; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }

/* The shell: a compact header that never grows past one row on a phone. */
header.top { display: flex; gap: .75rem 1.25rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 5; }
.brand { font-weight: 750; color: var(--accent); text-decoration: none; letter-spacing: .01em; }
header.top nav { display: flex; gap: .25rem; flex: 1; min-width: 0; overflow-x: auto; scrollbar-width: none; }
header.top nav a { color: inherit; text-decoration: none; padding: .3rem .55rem; border-radius: .4rem; white-space: nowrap; font-size: .95rem; opacity: .8; }
header.top nav a:hover { background: var(--soft); opacity: 1; }
header.top nav a[aria-current] { opacity: 1; font-weight: 600; background: var(--soft); }
main { max-width: 44rem; margin: 1.5rem auto; padding: 0 1rem; }
main.wide { max-width: 76rem; }
.lead { color: var(--muted); font-size: .9rem; margin: 0 0 1rem; }
@media (max-width: 600px) {
  header.top { padding: .4rem .6rem; gap: .5rem; }
  header.top nav a { padding: .25rem .4rem; font-size: .875rem; }
  header.top nav { mask-image: linear-gradient(to right, transparent 0, #000 .75rem, #000 calc(100% - 1.5rem), transparent); padding: 0 .5rem; }
  main { margin: 1rem auto; padding: 0 .75rem; }
  h1 { font-size: 1.3rem; }
}

/* Connection indicator: what the page's live feed is doing right now. */
.conn { flex: none; display: inline-flex; align-items: center; gap: .35rem; font-size: .8rem; color: var(--muted); white-space: nowrap; }
.conn::before { content: ""; width: .55rem; height: .55rem; border-radius: 50%; background: var(--muted); }
.conn[data-conn=live]::before { background: var(--ok); }
.conn[data-conn=reconnecting]::before { background: var(--warn); }
.conn[data-conn=offline]::before { background: var(--bad); }
.conn[data-conn=offline] { color: var(--bad); font-weight: 600; }
@media (max-width: 600px) { .conn .conn-label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); } }

/* Controls */
button, .button { font: inherit; font-size: .95rem; padding: .4rem .8rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--panel); color: inherit; cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; gap: .3rem; min-height: 2.25rem; }
button:hover:not(:disabled) { background: var(--soft); }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); font-weight: 600; }
button.primary:hover:not(:disabled) { background: var(--accent); filter: brightness(1.08); }
button.quiet { border-color: transparent; background: transparent; }
button.small { min-height: 0; padding: .2rem .5rem; }
button.danger:hover:not(:disabled) { color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .5; cursor: not-allowed; }
input[type=text], input[type=search], input[type=number], textarea, select { font: inherit; padding: .45rem .65rem; border: 1px solid var(--line); border-radius: .5rem; background: var(--panel); color: inherit; min-width: 0; max-width: 100%; }
input[type=text], input[type=search] { flex: 1; }
textarea { width: 100%; min-height: 6rem; }
input[type=range] { width: 100%; min-width: 8rem; accent-color: var(--accent); }
input[type=checkbox] { width: 1.15rem; height: 1.15rem; accent-color: var(--accent); margin: 0; cursor: pointer; flex: none; }
kbd { font: .75rem ui-monospace, monospace; padding: .05rem .35rem; border: 1px solid var(--line); border-bottom-width: 2px; border-radius: .3rem; background: var(--soft); }

/* Building blocks */
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: .85rem 1rem; box-shadow: var(--shadow); min-width: 0; }
.panel > h2:first-child, .panel > h3:first-child { margin-top: 0; }
.panel + .panel { margin-top: 1rem; }
.panel > h3 { font-size: 1rem; margin: 1.1rem 0 .5rem; }
/* In a grid the grid's gap spaces them. */
:is(.grid2, .cards, .machines) > .panel + .panel { margin-top: 0; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.row { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1.25rem; align-items: start; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr)); gap: 1rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem 1rem; box-shadow: var(--shadow); min-width: 0; }
.cards.compact { grid-template-columns: repeat(auto-fill, minmax(min(100%, 10rem), 1fr)); gap: .75rem; }
.card h3 { margin: 0; font-size: .85rem; font-weight: 550; color: var(--muted); }
.card .figure { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .75rem; font-weight: 600; border: 1px solid var(--line); line-height: 1.5; white-space: nowrap; vertical-align: middle; }
.badge.ok { background: var(--ok); color: var(--panel); border-color: var(--ok); }
.badge.warn { background: var(--warn); color: var(--panel); border-color: var(--warn); }
.badge.bad { background: var(--bad); color: var(--panel); border-color: var(--bad); }
.badge.info { color: var(--info); border-color: var(--info); }
.badge.high { color: var(--bad); border-color: var(--bad); }
.badge.low { color: var(--muted); }
.empty { color: var(--muted); font-size: .95rem; padding: 1rem 0; text-align: center; }
.error, .problem { color: var(--bad); }
.notice { color: var(--warn); margin: 0 0 .75rem; }
.spinner { color: var(--muted); font-size: .85rem; }
.pending { opacity: .55; }
.footer { margin-top: .75rem; display: flex; gap: .5rem 1rem; justify-content: space-between; align-items: center; flex-wrap: wrap; color: var(--muted); font-size: .9rem; }
.scroll-x { overflow-x: auto; max-width: 100%; }
.scroll-x.tall { max-height: 28rem; overflow-y: auto; }
.nowrap { white-space: nowrap; }
table.table { border-collapse: collapse; width: 100%; font-size: .85rem; }
table.table th, table.table td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.table th { font-weight: 600; color: var(--muted); }
table.table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.table th { white-space: nowrap; }
/* JSON in a cell keeps a readable width: the table scrolls in its box instead. */
table.table td > pre { min-width: 16rem; }
table.table summary { white-space: nowrap; }
dl.keys { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: 0; font-size: .85rem; }
dl.keys dt { color: var(--muted); }
.shortcuts { font-size: .85rem; color: var(--muted); margin-top: 1.25rem; }
.shortcuts ul { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: .35rem 1rem; }

/* Charts drawn on the server as SVG */
.chart { display: block; width: 100%; height: auto; min-height: 120px; overflow: visible; }
.chart text { font: 11px -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; fill: var(--muted); }
.chart .grid { stroke: var(--line); }
figure.chart-figure { margin: .25rem 0 0; }
.chart rect.band:hover { fill: color-mix(in srgb, var(--fg) 7%, transparent); }
.range { display: inline-flex; gap: .25rem; }
.range a { text-decoration: none; color: inherit; padding: .15rem .55rem; border: 1px solid var(--line); border-radius: .4rem; font-size: .85rem; }
.range a[aria-current] { border-color: var(--accent); color: var(--accent); font-weight: 600; }
.legend { display: flex; gap: .25rem .75rem; flex-wrap: wrap; font-size: .8rem; color: var(--muted); margin-top: .25rem; }
.legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: .15rem; margin-right: .25rem; vertical-align: -1px; }
.s-ok { --c: var(--ok); } .s-warn { --c: var(--warn); } .s-bad { --c: var(--bad); } .s-info { --c: var(--info); } .s-lag { --c: var(--lag); } .s-accent { --c: var(--accent); } .s-muted { --c: var(--muted); }

/* Filters and the event log */
form.filters { display: flex; gap: .5rem; flex-wrap: wrap; margin-bottom: 1rem; }
form.filters input { flex: 1 1 10rem; min-width: 0; }
ol.events { list-style: none; padding: 0; margin: 0; }
ol.events li { border-bottom: 1px solid var(--line); }
ol.events summary { display: grid; grid-template-columns: 1rem auto minmax(0, 1fr) auto; gap: .1rem .6rem; align-items: baseline; padding: .45rem .25rem; cursor: pointer; list-style: none; }
ol.events summary::-webkit-details-marker { display: none; }
ol.events summary::before { content: "▸"; color: var(--muted); grid-row: span 2; transition: transform .15s; }
ol.events details[open] > summary::before { transform: rotate(90deg); }
ol.events summary:hover { background: var(--soft); }
ol.events summary .seq { font-variant-numeric: tabular-nums; color: var(--muted); }
ol.events summary .meta { grid-column: 2 / -1; display: flex; gap: .2rem .6rem; flex-wrap: wrap; font-size: .85rem; }
ol.events .etype { font-weight: 600; }
ol.events .body { padding: .25rem .5rem 1rem 1.6rem; }
pre, ol.events pre { margin: .25rem 0; padding: .5rem .6rem; border-radius: .4rem; background: var(--soft); overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
ol.events dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem .75rem; margin: 0 0 .5rem; font-size: .85rem; }
ol.events dt { color: var(--muted); }
ol.events li.at { background: color-mix(in srgb, var(--accent) 14%, transparent); }
ol.events li.later { opacity: .45; }
.j-key { color: var(--link); } .j-str { color: var(--ok); } .j-num { color: var(--warn); } .j-lit { color: var(--info); }
#event-rows:not(:empty) ~ .empty { display: none; }

/* Analytics sessions */
ul.sessions { list-style: none; padding: 0; margin: 0; }
ul.sessions li { display: flex; gap: .5rem; align-items: baseline; padding: .35rem 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
ul.sessions li button { padding: .1rem .5rem; font-size: .8rem; min-height: 0; }
figure.bars { display: grid; grid-template-columns: minmax(0, 12rem) minmax(3rem, 1fr) max-content; gap: .2rem .6rem; align-items: center; margin: .5rem 0 1rem; font-size: .8rem; }
.bar-row { display: contents; }
.bar-label { text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
.bar-track { display: block; height: .85rem; }
.bar { display: block; height: 100%; min-width: 1px; border-radius: 2px; background: var(--accent); }
.bar-value { font-variant-numeric: tabular-nums; }
@media (max-width: 600px) { figure.bars { grid-template-columns: minmax(0, 7.5rem) minmax(2rem, 1fr) max-content; } }
#result-pane.running #result { display: none; }

/* Time travel */
#tt-controls input[type=range] { flex: 1 1 12rem; }
#tt-controls .seq-input { width: 6.5rem; }
@media (max-width: 600px) { #tt-controls input[type=range] { flex-basis: 100%; order: -1; } }

/* Lists of items (an application's rows) */
ul.items { list-style: none; padding: 0; margin: 0; }
ul.items > li { display: flex; gap: .6rem; align-items: center; padding: .45rem .25rem; border-bottom: 1px solid var(--line); }
`;
