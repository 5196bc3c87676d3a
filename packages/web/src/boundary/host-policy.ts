/**
 * Which `Host` names (and so which browser origins) the server answers. Requests naming any
 * other host are refused before routing: that is what stops DNS rebinding, where a hostile
 * page makes a browser talk to this server under the attacker's name.
 */
export type HostPolicy = {
  /** True when every host is allowed (`ALLOWED_HOSTS=*`). */
  readonly any: boolean;
  /** The allowed host names, normalized (lower case, IPv6 in brackets, no port). */
  readonly hosts: readonly string[];
  /** A `Host` header value (`name[:port]`): allowed, or malformed or unknown. */
  allowsHost(host: string | undefined): boolean;
  /** An `Origin` header value: an http(s) origin whose host is allowed (`null` never is). */
  allowsOrigin(origin: string): boolean;
};

/** Allowed when nothing else is configured: the loopback names. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

// name[:port] or [IPv6][:port]; nothing else may appear in a Host header.
const HOST_HEADER = /^(?:\[([0-9a-f:.]{2,45})\]|([a-z0-9_.-]{1,253}))(?::(\d{1,5}))?$/i;

/** The host name of a `Host` header value, normalized; undefined if it is not one. */
export const hostnameOf = (host: string): string | undefined => {
  const match = HOST_HEADER.exec(host.trim());
  if (!match) return undefined;
  if (match[3] !== undefined && Number(match[3]) > 65535) return undefined;
  if (match[1] !== undefined) {
    // The URL parser spells an IPv6 address one way: [0:0:0:0:0:0:0:1] is [::1].
    try {
      return new URL(`http://[${match[1]}]/`).hostname;
    } catch {
      return undefined;
    }
  }
  const name = (match[2] ?? '').toLowerCase().replace(/\.$/, '');
  return name === '' || name.startsWith('.') || name.includes('..') ? undefined : name;
};

/** One ALLOWED_HOSTS entry (`name`, `name:port`, `::1` or `[::1]`) as a host name. */
export const normalizeAllowedHost = (entry: string): string | undefined => {
  const trimmed = entry.trim();
  // A bare IPv6 address has colons but no brackets.
  if (trimmed.includes(':') && !trimmed.startsWith('[') && trimmed.split(':').length > 2) {
    return hostnameOf(`[${trimmed}]`);
  }
  return hostnameOf(trimmed);
};

export const createHostPolicy = (allowed: readonly string[] | '*'): HostPolicy => {
  if (allowed === '*') {
    return {
      any: true,
      hosts: [],
      allowsHost: (host) => host === undefined || hostnameOf(host) !== undefined,
      allowsOrigin: (origin) => originHost(origin) !== undefined,
    };
  }
  const hosts = new Set<string>();
  for (const entry of allowed) {
    const name = normalizeAllowedHost(entry);
    if (name === undefined) throw new Error(`not a host name: ${JSON.stringify(entry)}`);
    hosts.add(name);
  }
  const allowsName = (name: string | undefined) => name !== undefined && hosts.has(name);
  return {
    any: false,
    hosts: [...hosts],
    allowsHost: (host) => host !== undefined && allowsName(hostnameOf(host)),
    allowsOrigin: (origin) => allowsName(originHost(origin)),
  };
};

/** The host name of an http(s) origin, or undefined (`null`, other schemes, garbage). */
const originHost = (origin: string): string | undefined => {
  if (origin.length > 2048) return undefined;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return hostnameOf(url.host);
  } catch {
    return undefined;
  }
};
