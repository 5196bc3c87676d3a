/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { DATASTAR_SCRIPT_PATH } from '../datastar/datastar-wire';
import { STYLES } from './styles';

/** The page shell every ironstar page shares. */
export const Layout = (props: { title: string; children?: Child }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${props.title} · ironstar`}</title>
      <link rel="icon" href="data:," />
      <style>{STYLES}</style>
      <script type="module" src={DATASTAR_SCRIPT_PATH} />
    </head>
    <body>
      <header class="top">
        <a class="brand" href="/">
          ironstar
        </a>
        <nav>
          <a href="/" aria-current="page">
            Todos
          </a>
        </nav>
      </header>
      <main>{props.children}</main>
    </body>
  </html>
);
