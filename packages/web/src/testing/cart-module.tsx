/** @jsxImportSource hono/jsx */
import {
  type CartCommand,
  type CartError,
  type Carts,
  cartAggregate,
  cartsProjection,
} from '@ironstar/application/testing';
import { isUuid, type ValidationError, validationError } from '@ironstar/domain';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { err, ok, Result } from 'neverthrow';
import type { AppEnv } from '../app-env';
import { type DomainErrorAnswers, errorJson, problem } from '../http-errors';
import { defineModule, type HttpCommand, type JsonObject, type TimeTravelProps } from '../module';
import { Layout, pageShell } from '../pages/layout';

// The framework's fixture module: the shopping cart over HTTP, with a read model, a page, a
// time-travel view and styles, so every part of the module seam is tested without the
// reference app.

type CartHttpCommand = HttpCommand<CartCommand>;

const text = (field: string, raw: unknown): Result<string, ValidationError> =>
  typeof raw === 'string' && raw.trim().length > 0 && raw.trim().length <= 100
    ? ok(raw.trim())
    : err(validationError(field, `${field} must be 1-100 characters`));

const cartId = (raw: unknown): Result<string, ValidationError> =>
  isUuid(raw) ? ok(raw.toLowerCase()) : err(validationError('id', 'id must be a UUID'));

const quantity = (raw: unknown): Result<number, ValidationError> =>
  raw === undefined
    ? ok(1)
    : Number.isInteger(raw) && typeof raw === 'number' && raw >= 1 && raw <= 99
      ? ok(raw)
      : err(validationError('quantity', 'quantity must be an integer from 1 to 99'));

/** `{type: 'open', owner}`, `{type: 'add', id, item, quantity?}`, `remove`, `checkout`. */
export const parseCartCommand = (body: JsonObject): Result<CartHttpCommand, ValidationError> => {
  switch (body.type) {
    case 'open':
      return text('owner', body.owner).map(
        (owner): CartHttpCommand => ({
          name: 'open',
          command: ({ aggregateId, now }) => ({
            type: 'OpenCart',
            data: { id: aggregateId, owner, now },
          }),
        }),
      );
    case 'add':
      return Result.combine([
        cartId(body.id),
        text('item', body.item),
        quantity(body.quantity),
      ]).map(
        ([id, item, count]): CartHttpCommand => ({
          name: 'add',
          aggregateId: id,
          command: () => ({ type: 'AddItem', data: { id, item, quantity: count } }),
        }),
      );
    case 'remove':
      return Result.combine([cartId(body.id), text('item', body.item)]).map(
        ([id, item]): CartHttpCommand => ({
          name: 'remove',
          aggregateId: id,
          command: () => ({ type: 'RemoveItem', data: { id, item } }),
        }),
      );
    case 'checkout':
      return cartId(body.id).map(
        (id): CartHttpCommand => ({
          name: 'checkout',
          aggregateId: id,
          command: ({ now }) => ({ type: 'CheckOut', data: { id, now } }),
        }),
      );
    default:
      return err(validationError('type', 'type must be one of open, add, remove, checkout'));
  }
};

export const cartErrors: DomainErrorAnswers<CartError> = {
  CartNotFound: problem('not_found', 'no such cart'),
  CartAlreadyOpen: problem('invalid_transition', 'the cart is already open'),
  CartClosed: (error) => problem('invalid_transition', `cart ${error.id} is checked out`),
  CartEmpty: problem('invalid_transition', 'an empty cart cannot be checked out'),
};

const CartsThen = ({ state, at, select }: TimeTravelProps<Carts>) => (
  <>
    <h2>Carts as of #{at}</h2>
    <ul id="tt-carts">
      {[...state.values()].map((cart) => (
        <li id={`tt-cart-${cart.id}`} data-on-click={select(cartAggregate.type, cart.id)}>
          <span class="owner">{cart.owner}</span>{' '}
          <span class="items">{Object.keys(cart.items).length}</span>
        </li>
      ))}
    </ul>
  </>
);

export const cartModule = defineModule({
  aggregate: cartAggregate,
  http: { name: 'cart', parse: parseCartCommand, errors: cartErrors },
  projections: { carts: cartsProjection },
  nav: [{ path: '/carts', label: 'Carts' }],
  styles: 'ul.carts { list-style: square; }',
  timeTravel: {
    projection: cartsProjection,
    size: (carts) => carts.size,
    versionOf: (carts, id) => carts.get(id)?.version,
    render: CartsThen,
  },
  setup: ({ shell, projections }) => ({
    routes: new Hono<AppEnv>()
      .get('/carts', (c) => {
        const page = (
          <Layout title="Carts" shell={pageShell(c, shell)} path="/carts">
            <ul class="carts" id="carts">
              {[...projections.carts.state().values()].map((cart) => (
                <li id={`cart-${cart.id}`}>{cart.owner}</li>
              ))}
            </ul>
          </Layout>
        );
        return c.html(html`<!DOCTYPE html>${page}`);
      })
      .get('/api/carts/:id', (c) => {
        const cart = projections.carts.state().get(c.req.param('id'));
        return cart ? c.json(cart) : errorJson(c, 'not_found', 'no such cart');
      }),
  }),
});
