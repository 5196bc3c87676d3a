import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostPolicy } from './host-policy';
import { SECURITY_HEADERS } from './security-headers';

const REFUSAL = JSON.stringify({
  error: {
    code: 'misdirected_request',
    message: 'this server does not answer for that host (see ALLOWED_HOSTS)',
  },
});

/**
 * The Host check at Node's level, before any URL or web Request is built: a Host that is
 * malformed (which @hono/node-server would answer with an empty 400) or not allowed gets the
 * same JSON 421 as the app's own check. Returns true when it answered.
 */
export const refuseMisdirected = (
  policy: HostPolicy,
  req: IncomingMessage,
  res: ServerResponse,
): boolean => {
  const target = req.url ?? '';
  let targetHost: string | undefined;
  if (!target.startsWith('/') && /^https?:\/\//i.test(target)) {
    try {
      targetHost = new URL(target).host;
    } catch {
      targetHost = '';
    }
  }
  const host = req.headers.host;
  const allowed =
    (host === undefined || policy.allowsHost(host)) &&
    (targetHost === undefined || policy.allowsHost(targetHost));
  if (allowed) return false;
  res.writeHead(421, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(REFUSAL),
    Connection: 'close',
  });
  res.end(REFUSAL);
  return true;
};
