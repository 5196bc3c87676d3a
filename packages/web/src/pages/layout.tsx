/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { DASHBOARD_STYLES } from '../dashboard/dashboard-styles';
import { STATE_MACHINE_STYLES } from '../dashboard/state-machines/state-machine-svg';
import { action, DATASTAR_SCRIPT_PATH } from '../datastar/datastar-wire';
import { STYLES } from './styles';

/** One entry of the navigation: the application's pages come first, then the dashboard's. */
export type NavItem = {
  readonly path: string;
  readonly label: string;
  readonly section?: 'app' | 'dashboard';
};

/** The navigation, application pages first, each section in registration order. */
export const navigation = (items: readonly NavItem[]): readonly NavItem[] => [
  ...items.filter((item) => (item.section ?? 'app') === 'app'),
  ...items.filter((item) => item.section === 'dashboard'),
];

/** What every page's shell shows: the navigation, and the registered modules' styles. */
export type PageShell = { readonly nav: readonly NavItem[]; readonly styles: string };

/** The page shell every ironstar page shares; `path` marks the current page in the navigation. */
export const Layout = (props: {
  title: string;
  shell: PageShell;
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
      <style>{STYLES + DASHBOARD_STYLES + STATE_MACHINE_STYLES + props.shell.styles}</style>
      <script type="module" src={DATASTAR_SCRIPT_PATH} />
    </head>
    <body>
      <header class="top">
        <a class="brand" href="/">
          ironstar
        </a>
        <nav>
          {props.shell.nav.map((item) => (
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

/** Opens the page's live feed once it has loaded, and keeps reopening it (Datastar SSE). */
export const LiveFeed = (props: { id: string; url: string }) => (
  <div
    id={props.id}
    data-on-load__window={action('get', props.url, {
      retryForever: true,
      retryMaxWaitMs: 5000,
      openWhenHidden: true,
    })}
  />
);
