/** @jsxImportSource hono/jsx */

import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../app-env';
import { isAdmin, type User } from '../auth/user';
import { STATE_MACHINE_STYLES } from '../dashboard/state-machines/state-machine-svg';
import { action, DATASTAR_SCRIPT_PATH } from '../datastar/datastar-wire';
import { ConnectionIndicator, LiveState, liveSignals } from '../ui/live';
import { STYLES } from '../ui/styles';

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

/** The dashboard's pages are for admins: nobody else is shown links they cannot open. */
const visibleNav = (items: readonly NavItem[], user: User | undefined) =>
  user && !isAdmin(user) ? items.filter((item) => item.section !== 'dashboard') : items;

/**
 * What every page's shell shows: the navigation, and the registered modules' styles; `user`,
 * whom the page is drawn for (see `pageShell`), absent in plain renders such as tests.
 */
export type PageShell = {
  readonly nav: readonly NavItem[];
  readonly styles: string;
  readonly user?: User;
};

/**
 * The shell as drawn for the request's user: a route passes this, not the module's shell, to
 * `<Page>`. (Explicit, not an AsyncLocalStorage: on Node 20 one makes every promise in the
 * process about twice as dear, commands included.)
 */
export const pageShell = (c: Context<AppEnv>, shell: PageShell): PageShell => ({
  ...shell,
  user: c.get('user'),
});

/**
 * The page shell every ironstar page shares (also exported as `Page`): the one stylesheet, a
 * compact header with the navigation and the connection indicator, and the live/command
 * signals (ui/live.tsx). `path` marks the current page in the navigation.
 */
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
      {/* Our own constant CSS, never user text: written raw (escaping would break its quotes). */}
      <style>{raw(STYLES + STATE_MACHINE_STYLES + props.shell.styles)}</style>
      <script type="module" src={DATASTAR_SCRIPT_PATH} />
    </head>
    <body data-signals={JSON.stringify(liveSignals(crypto.randomUUID()))}>
      <LiveState />
      <header class="top">
        <a class="brand" href="/">
          ironstar
        </a>
        {/* On a phone the navigation scrolls sideways: bring the current page into view. */}
        <nav
          aria-label="Pages"
          data-on-load__window="const a = ctx.el.querySelector('[aria-current]'); a && (ctx.el.scrollLeft = a.offsetLeft - ctx.el.offsetLeft - 24)"
        >
          {visibleNav(props.shell.nav, props.shell.user).map((item) => (
            <a
              href={item.path}
              aria-current={item.path === (props.path ?? '/') ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <ConnectionIndicator />
      </header>
      <main class={props.wide ? 'wide' : undefined}>{props.children}</main>
    </body>
  </html>
);

/**
 * Opens the page's live feed once it has loaded, and keeps reopening it (Datastar SSE); the
 * connection indicator follows it (data-live-feed). Its feed must send FEED_OPENED first.
 */
export const LiveFeed = (props: { id: string; url: string }) => (
  <div
    id={props.id}
    data-live-feed
    data-on-load__window={action('get', props.url, {
      retryForever: true,
      retryMaxWaitMs: 5000,
      openWhenHidden: true,
    })}
  />
);

export { Layout as Page };
