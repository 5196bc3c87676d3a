import { randomUUID } from 'node:crypto';
import { type BusListener, type EventBus, type StoredEvent, topicOf } from '@ironstar/application';
import { Publisher, Subscriber } from 'zeromq';

export type ZeroMqBusOptions = {
  /**
   * Where events travel. Embedded (the default) binds the publisher here and connects the
   * subscriber to it: `inproc://…` opens no port at all; `ipc://…` or `tcp://127.0.0.1:…`
   * let other processes listen in.
   */
  readonly endpoint?: string;
  /** Instead of binding: connect through an XSUB/XPUB proxy shared by several processes. */
  readonly proxy?: { readonly publishTo: string; readonly subscribeTo: string };
  /** How long to wait for the subscription to be live end to end at start. */
  readonly readyTimeoutMs?: number;
  /**
   * Refuse to start unless the subscription proved live. Default: yes when embedded; no
   * through a proxy, which may come up later (readers fill gaps from the store meanwhile).
   */
  readonly requireReady?: boolean;
  readonly onError?: (error: unknown) => void;
  /** Counts messages leaving and arriving (for metrics). */
  readonly onTraffic?: (direction: 'out' | 'in', messages: number) => void;
};

export const DEFAULT_BUS_ENDPOINT = 'inproc://ironstar-events';
const PROBE = 'probe/';
const decoder = new TextDecoder();

/**
 * The ZeroMQ event bus. One PUB and one SUB socket per process; events fan out in process, so
 * a local subscribe is effective at once (subscribe-before-replay) and costs no socket per SSE
 * connection. What this process publishes reaches its own listeners directly (no encoding and
 * parsing of its own events: ~7% of a command's CPU); the SUB socket brings what other
 * processes publish. Embedded, nobody else can publish to us (other processes may only listen
 * in), so the SUB socket takes only the start's probe; through a proxy every message carries
 * its publisher's id, and our own come back only to be dropped.
 */
export const getZeroMqEventBus = async (
  options: ZeroMqBusOptions = {},
): Promise<EventBus & { readonly endpoint: string }> => {
  const pub = new Publisher({ sendHighWaterMark: 100_000 });
  const sub = new Subscriber({ receiveHighWaterMark: 100_000 });
  let endpoint: string;
  if (options.proxy) {
    pub.connect(options.proxy.publishTo);
    sub.connect(options.proxy.subscribeTo);
    endpoint = options.proxy.subscribeTo;
  } else {
    await pub.bind(options.endpoint ?? DEFAULT_BUS_ENDPOINT);
    // With tcp://…:* the OS picks the port; lastEndpoint says which.
    endpoint = pub.lastEndpoint ?? options.endpoint ?? DEFAULT_BUS_ENDPOINT;
    sub.connect(endpoint);
  }
  const probeTopic = `${PROBE}${randomUUID()}`;
  // Sent as a third frame: which bus published the event (its own are already delivered).
  const originFrame = Buffer.from(randomUUID());
  if (options.proxy) sub.subscribe('events/', probeTopic);
  else sub.subscribe(probeTopic);

  const listeners = new Set<{ prefix: string; listener: BusListener }>();
  let closed = false;
  let probed: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    probed = resolve;
  });

  const deliver = (topic: string, event: StoredEvent) => {
    options.onTraffic?.('in', 1);
    for (const entry of listeners) {
      if (!topic.startsWith(entry.prefix)) continue;
      try {
        entry.listener(event);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };

  // Our own events, handed to our listeners on the next turn of the loop (as a message from
  // the socket would be: the publisher's caller, a command, is answered first), in order.
  let local: Array<readonly [string, StoredEvent]> = [];
  const deliverLocal = () => {
    const batch = local;
    local = [];
    for (const [topic, event] of batch) if (!closed) deliver(topic, event);
  };

  const receiving = (async () => {
    try {
      for await (const [topicFrame, body, from] of sub) {
        if (from?.equals(originFrame)) continue; // ours, delivered when it was published
        const topic = decoder.decode(topicFrame);
        if (topic === probeTopic) {
          probed();
          continue;
        }
        if (!body) continue;
        let event: StoredEvent;
        try {
          event = JSON.parse(decoder.decode(body)) as StoredEvent;
        } catch (error) {
          options.onError?.(error);
          continue;
        }
        deliver(topic, event);
      }
    } catch (error) {
      if (!closed) options.onError?.(error);
    }
  })();

  // zeromq allows one send in flight per socket: chain them.
  let sending: Promise<void> = Promise.resolve();
  const send = (frames: [string, string] | [string, string, Buffer]) => {
    const next = sending.then(() => pub.send(frames));
    sending = next.catch(() => {});
    return next;
  };

  // PUB/SUB joins are asynchronous: probe until our own subscriber hears us.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 5000);
  let heard = false;
  void ready.then(() => {
    heard = true;
  });
  const requireReady = options.requireReady ?? !options.proxy;
  while (!heard) {
    if (Date.now() > deadline) {
      if (!requireReady) {
        options.onError?.(new Error(`event bus not live yet on ${endpoint}; continuing`));
        break;
      }
      pub.close();
      sub.close();
      throw new Error(`event bus not ready on ${endpoint}`);
    }
    await send([probeTopic, '']);
    await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, 10))]);
  }

  return {
    endpoint,
    async publish(events) {
      for (const event of events) {
        const topic = topicOf(event);
        if (local.length === 0) setImmediate(deliverLocal);
        local.push([topic, event]);
        await send([topic, JSON.stringify(event), originFrame]);
      }
      options.onTraffic?.('out', events.length);
    },
    subscribe(prefix, listener) {
      const entry = { prefix, listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await sending;
      listeners.clear();
      pub.close();
      sub.close();
      await receiving;
    },
  };
};
