/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { DASHBOARD_STYLES } from '../dashboard/dashboard-styles';
import { DATASTAR_SCRIPT_PATH } from '../datastar/datastar-wire';
import { STYLES } from './styles';

/** The pages the navigation lists, in order. */
export const NAV = [
  { path: '/', label: 'Todos' },
  { path: '/events', label: 'Event log' },
  { path: '/time-travel', label: 'Time travel' },
  { path: '/system', label: 'System' },
  { path: '/analytics', label: 'Analytics' },
] as const;

/** The page shell every ironstar page shares; `path` marks the current page in the navigation. */
export const Layout = (props: {
  title: string;
  path?: string;
  wide?: boolean;
  children?: Child;
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${props.title} · ironstar`}</title>
      <link rel="icon" href="data:," />
      <style>{STYLES + DASHBOARD_STYLES}</style>
      <script type="module" src={DATASTAR_SCRIPT_PATH} />
    </head>
    <body>
      <header class="top">
        <a class="brand" href="/">
          ironstar
        </a>
        <nav>
          {NAV.map((item) => (
            <a
              href={item.path}
              aria-current={item.path === (props.path ?? '/') ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
      </header>
      <main class={props.wide ? 'wide' : undefined}>{props.children}</main>
    </body>
  </html>
);
