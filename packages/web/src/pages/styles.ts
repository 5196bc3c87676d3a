// Plain CSS in one string: no build step, no CDN.
export const STYLES = `
:root { color-scheme: light dark; --accent: #6d5dfc; --muted: #8a8f98; --line: #8882; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; color: var(--accent); text-decoration: none; }
nav a { color: inherit; text-decoration: none; opacity: .8; }
nav a[aria-current] { opacity: 1; font-weight: 600; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
input[type=text] { flex: 1; font: inherit; padding: .5rem .75rem; border: 1px solid var(--line); border-radius: .5rem; background: transparent; color: inherit; }
button { font: inherit; padding: .4rem .8rem; border: 1px solid var(--line); border-radius: .5rem; background: transparent; color: inherit; cursor: pointer; }
button.primary { background: var(--accent); color: white; border-color: var(--accent); }
.pending { opacity: .55; }
.spinner { color: var(--muted); font-size: .85rem; }
select { font: inherit; padding: .4rem; border: 1px solid var(--line); border-radius: .5rem; background: transparent; color: inherit; }
.notice { color: #b60; margin: 0 0 .75rem; }
.empty, .footer { color: var(--muted); font-size: .9rem; }
.footer { margin-top: 1rem; display: flex; justify-content: space-between; }
`;
