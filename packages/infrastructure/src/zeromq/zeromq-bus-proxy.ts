import { XPublisher, XSubscriber, Proxy as ZmqProxy } from 'zeromq';

export type BusProxyOptions = {
  /** Where server processes connect their publishers (the proxy's XSUB side). */
  readonly publishEndpoint: string;
  /** Where server processes connect their subscribers (the proxy's XPUB side). */
  readonly subscribeEndpoint: string;
};

/**
 * The XSUB/XPUB forwarder that lets several server processes share one bus: every process
 * publishes to one side and subscribes on the other. It keeps no state, so it can be restarted
 * at any time; what is lost meanwhile, subscribers fill in from the store.
 */
export const startZeroMqBusProxy = async (options: BusProxyOptions) => {
  const xsub = new XSubscriber({ linger: 0 });
  const xpub = new XPublisher({ linger: 0 });
  try {
    await bindRetrying(xsub, options.publishEndpoint);
    await bindRetrying(xpub, options.subscribeEndpoint);
  } catch (error) {
    xsub.close();
    xpub.close();
    throw error;
  }
  const proxy = new ZmqProxy(xsub, xpub);
  const running = proxy.run();
  return {
    publishEndpoint: xsub.lastEndpoint ?? options.publishEndpoint,
    subscribeEndpoint: xpub.lastEndpoint ?? options.subscribeEndpoint,
    /** Resolves when the forwarding loop ends (after close). */
    done: running,
    async close() {
      proxy.terminate();
      await running.catch(() => {});
      xsub.close();
      xpub.close();
    },
  };
};

/** A just-closed socket frees its port a moment later, in ZeroMQ's own thread. */
const bindRetrying = async (socket: XSubscriber | XPublisher, endpoint: string) => {
  for (let attempt = 0; ; attempt++) {
    try {
      await socket.bind(endpoint);
      return;
    } catch (error) {
      if (attempt >= 100 || !String(error).includes('in use')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};
