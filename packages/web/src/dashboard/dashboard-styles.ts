// The dashboard pages' CSS, added to the shared page styles (no build step, no CDN).
export const DASHBOARD_STYLES = `
main.wide { max-width: 72rem; }
header.top nav { display: flex; gap: 1.1rem; flex-wrap: wrap; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.mono, pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
.row { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: .6rem; padding: .75rem 1rem; }
.card h3 { margin: 0; font-size: .85rem; font-weight: 500; color: var(--muted); }
.card .figure { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.chart { display: block; width: 100%; height: auto; overflow: visible; }
.chart text { font: 10px system-ui, sans-serif; fill: var(--muted); }
#result-chart text { font-size: 12px; fill: currentColor; }
.legend { display: flex; gap: .75rem; flex-wrap: wrap; font-size: .8rem; color: var(--muted); }
.legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: .15rem; margin-right: .25rem; vertical-align: -1px; }
form.filters { display: flex; gap: .5rem; flex-wrap: wrap; margin-bottom: 1rem; }
form.filters input { flex: 1 1 10rem; min-width: 8rem; }
input[type=search], input[type=number], textarea, select { font: inherit; padding: .4rem .6rem; border: 1px solid var(--line); border-radius: .5rem; background: transparent; color: inherit; }
ol.events { list-style: none; padding: 0; margin: 0; }
ol.events li { border-bottom: 1px solid var(--line); }
ol.events:not(:empty) + #no-events { display: none; }
ol.events summary { display: flex; gap: .75rem; align-items: baseline; padding: .35rem .25rem; cursor: pointer; flex-wrap: wrap; }
ol.events summary .seq { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 4rem; }
ol.events .etype { font-weight: 600; }
ol.events .body { padding: .25rem .5rem 1rem 4.75rem; }
ol.events pre { margin: .25rem 0; padding: .5rem; border-radius: .4rem; background: #8881; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
ol.events dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: 0 0 .5rem; font-size: .85rem; }
ol.events dt { color: var(--muted); }
ol.events li.at { background: #6d5dfc22; }
ol.events li.later { opacity: .45; }
.pill { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .75rem; border: 1px solid var(--line); }
.pill.live { background: #16a34a; color: white; border-color: #16a34a; }
.pill.executing { background: #d97706; color: white; border-color: #d97706; }
.pill.completed { background: #16a34a; color: white; border-color: #16a34a; }
.pill.failed { background: #dc2626; color: white; border-color: #dc2626; }
input[type=range] { width: 100%; }
table.result { border-collapse: collapse; width: 100%; font-size: .85rem; }
table.result th, table.result td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
table.result td.num { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: #dc2626; }
textarea { width: 100%; min-height: 6rem; }
ul.sessions { list-style: none; padding: 0; margin: 0; }
ul.sessions li { display: flex; gap: .5rem; align-items: baseline; padding: .3rem 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
ul.sessions li button { padding: .1rem .5rem; font-size: .8rem; }
`;
