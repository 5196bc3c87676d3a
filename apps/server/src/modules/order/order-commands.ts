import { isUuid, type ValidationError, validationError } from '@ironstar/domain';
import { type DomainErrorAnswers, type HttpCommand, type JsonObject, problem } from '@ironstar/web';
import { err, ok, type Result } from 'neverthrow';
import { ORDER_LIMITS, type OrderCommand, type OrderError, type OrderItem } from './order-decider';

type OrderHttpCommand = HttpCommand<OrderCommand>;
type Parsed<T> = Result<T, ValidationError>;

export const ORDER_COMMAND_TYPES = [
  'create',
  'add-item',
  'remove-item',
  'submit',
  'cancel',
] as const;

// Control characters never belong in a sku or a reason (they break logs and pages).
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of this pattern.
const CONTROL = /[\u0000-\u001f\u007f]/;

const text = (field: string, raw: unknown, max: number): Parsed<string> => {
  if (typeof raw !== 'string' || raw.trim() === '' || [...raw].length > max || CONTROL.test(raw)) {
    return err(validationError(field, `${field} must be 1-${max} characters, not blank`));
  }
  return ok(raw);
};

const intIn = (field: string, raw: unknown, min: number, max: number): Parsed<number> =>
  Number.isSafeInteger(raw) && (raw as number) >= min && (raw as number) <= max
    ? ok(raw as number)
    : err(validationError(field, `${field} must be an integer from ${min} to ${max}`));

const orderId = (raw: unknown): Parsed<string> =>
  isUuid(raw) ? ok(raw.toLowerCase()) : err(validationError('id', 'id must be a UUID'));

const sku = (raw: unknown) => text('sku', raw, ORDER_LIMITS.maxSkuLength);

/** `{ sku, quantity, priceCents }`, each within its bound. */
export const parseOrderItem = (raw: unknown): Parsed<OrderItem> => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err(validationError('items', 'an item is {"sku","quantity","priceCents"}'));
  }
  const item = raw as JsonObject;
  return sku(item.sku).andThen((s) =>
    intIn('quantity', item.quantity, 1, ORDER_LIMITS.maxQuantity).andThen((quantity) =>
      intIn('priceCents', item.priceCents, 0, ORDER_LIMITS.maxPriceCents).map(
        (priceCents): OrderItem => ({ sku: s, quantity, priceCents }),
      ),
    ),
  );
};

/** 0..100 items, each sku once (a line per sku, as the order keeps them). */
const parseItems = (raw: unknown): Parsed<readonly OrderItem[]> => {
  if (raw === undefined) return ok([]);
  if (!Array.isArray(raw) || raw.length > ORDER_LIMITS.maxLines) {
    return err(
      validationError('items', `items must be a list of at most ${ORDER_LIMITS.maxLines}`),
    );
  }
  const items: OrderItem[] = [];
  for (const each of raw) {
    const item = parseOrderItem(each);
    if (item.isErr()) return err(item.error);
    if (items.some((seen) => seen.sku === item.value.sku)) {
      return err(validationError('items', `sku ${item.value.sku} is listed twice`));
    }
    items.push(item.value);
  }
  return ok(items);
};

/**
 * `POST /api/commands/order`: create (with items), add-item, remove-item, submit, cancel.
 * Validating and fulfilling are the fulfilment manager's, never a client's.
 */
export const parseOrderCommand = (body: JsonObject): Result<OrderHttpCommand, ValidationError> => {
  switch (body.type) {
    case 'create':
      return parseItems(body.items).map(
        (items): OrderHttpCommand => ({
          name: 'create',
          input: { type: 'create', items },
          command: ({ aggregateId, now, actor }) => ({
            type: 'CreateOrder',
            data: { id: aggregateId, items, now, actor },
          }),
        }),
      );
    case 'add-item':
      return orderId(body.id).andThen((id) =>
        parseOrderItem(body).map(
          (item): OrderHttpCommand => ({
            name: 'add-item',
            aggregateId: id,
            input: { type: 'add-item', id, ...item },
            command: ({ actor }) => ({ type: 'AddOrderItem', data: { id, item, actor } }),
          }),
        ),
      );
    case 'remove-item':
      return orderId(body.id).andThen((id) =>
        sku(body.sku).map(
          (s): OrderHttpCommand => ({
            name: 'remove-item',
            aggregateId: id,
            input: { type: 'remove-item', id, sku: s },
            command: ({ actor }) => ({ type: 'RemoveOrderItem', data: { id, sku: s, actor } }),
          }),
        ),
      );
    case 'submit':
      return orderId(body.id).map(
        (id): OrderHttpCommand => ({
          name: 'submit',
          aggregateId: id,
          input: { type: 'submit', id },
          command: ({ now, actor }) => ({ type: 'SubmitOrder', data: { id, now, actor } }),
        }),
      );
    case 'cancel':
      return orderId(body.id).andThen((id) =>
        text('reason', body.reason, ORDER_LIMITS.maxReasonLength).map(
          (reason): OrderHttpCommand => ({
            name: 'cancel',
            aggregateId: id,
            input: { type: 'cancel', id, reason },
            command: ({ actor }) => ({ type: 'CancelOrder', data: { id, reason, actor } }),
          }),
        ),
      );
    default:
      return err(validationError('type', `type must be one of ${ORDER_COMMAND_TYPES.join(', ')}`));
  }
};

/**
 * An unknown order is a 404, and so is another user's (refused as missing by the decider);
 * every other refusal is a 409 invalid_transition.
 */
export const orderErrors: DomainErrorAnswers<OrderError> = {
  OrderNotFound: problem('not_found', 'no such order'),
  OrderAlreadyExists: problem('invalid_transition', 'order already exists'),
  InvalidTransition: (error) =>
    problem('invalid_transition', `${error.command} is not allowed on a ${error.status} order`),
  EmptyOrder: problem('invalid_transition', 'an order needs at least one item to be submitted'),
  ItemNotInOrder: (error) =>
    problem('invalid_transition', `the order has no line of sku ${error.sku}`),
  OrderTooLarge: (error) => problem('invalid_transition', error.message),
};
