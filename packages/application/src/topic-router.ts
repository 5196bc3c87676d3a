/**
 * In-process delivery by topic, in the key-expression style of the bus (`events/<Type>/<id>`,
 * `users/<id>/orders`): a message published under a topic reaches the listeners of that topic
 * and of its `…/**` prefixes, and nobody else. A publish costs a map lookup per segment of
 * the topic plus one call per matching listener, never a walk over every subscriber, so a
 * change that one user may see does no work in the connections of the others.
 */
export type TopicRouter<M> = {
  /**
   * `expression` is a topic (`users/alice/orders`) or a prefix ending in `/**`
   * (`users/alice/**`: every topic under it, and `users/alice` itself). Effective on return;
   * returns an unsubscribe.
   */
  subscribe(expression: string, listener: (message: M, topic: string) => void): () => void;
  /** Delivers `message` to the topic's listeners; returns how many were called. */
  publish(topic: string, message: M): number;
  /** Listeners of exactly this expression (all of them without one). */
  subscribers(expression?: string): number;
};

const ANY_REST = '/**';

/**
 * One segment of a topic from any string (a user id from a provider, say): `/` and `*` are
 * escaped, so an id can neither reach into another user's topics nor act as a wildcard.
 */
export const topicSegment = (raw: string): string => encodeURIComponent(raw).replaceAll('*', '%2A');

/** The topic of one user's changes of a kind: `users/<id>/<kind>`. */
export const userTopic = (userId: string, kind: string): string =>
  `users/${topicSegment(userId)}/${kind}`;

export const createTopicRouter = <M>(): TopicRouter<M> => {
  type Listener = (message: M, topic: string) => void;
  // Keyed by the expression as written; a prefix subscription by its prefix plus '/**'.
  const byExpression = new Map<string, Set<Listener>>();
  let total = 0;

  const deliver = (expression: string, topic: string, message: M) => {
    const listeners = byExpression.get(expression);
    if (!listeners) return 0;
    // A copy: a listener may unsubscribe (or subscribe) while it is called.
    const called = [...listeners];
    for (const listener of called) listener(message, topic);
    return called.length;
  };

  return {
    subscribe(expression, listener) {
      if (expression === '' || (expression.includes('*') && !isPrefixExpression(expression))) {
        throw new Error(`not a topic expression: ${expression}`);
      }
      let listeners = byExpression.get(expression);
      if (!listeners) {
        listeners = new Set();
        byExpression.set(expression, listeners);
      }
      // The same function twice is two subscriptions (each unsubscribes its own).
      const own: Listener = (message, topic) => listener(message, topic);
      listeners.add(own);
      total++;
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        total--;
        listeners.delete(own);
        if (listeners.size === 0 && byExpression.get(expression) === listeners) {
          byExpression.delete(expression);
        }
      };
    },
    publish(topic, message) {
      if (topic === '' || topic.includes('*')) throw new Error(`not a topic: ${topic}`);
      let called = deliver(topic, topic, message);
      // `a/b/c` also reaches `a/b/c/**`, `a/b/**`, `a/**` and `**`.
      called += deliver(`${topic}${ANY_REST}`, topic, message);
      for (let cut = topic.lastIndexOf('/'); cut > 0; cut = topic.lastIndexOf('/', cut - 1)) {
        called += deliver(`${topic.slice(0, cut)}${ANY_REST}`, topic, message);
      }
      called += deliver('**', topic, message);
      return called;
    },
    subscribers: (expression) =>
      expression === undefined ? total : (byExpression.get(expression)?.size ?? 0),
  };
};

/** `**`, or a prefix without wildcards followed by `/**`. */
const isPrefixExpression = (expression: string) =>
  expression === '**' ||
  (expression.endsWith(ANY_REST) && !expression.slice(0, -ANY_REST.length).includes('*'));
