import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test fixture playing GitHub Enterprise's OAuth and user endpoints on 127.0.0.1, reached
 * through GITHUB_URL: `/login/oauth/authorize` (signs in at once as `login_hint`, else
 * 'octocat'), `/login/oauth/access_token` (client secret, single-use code and PKCE S256
 * checked), `/api/v3/user` and `/api/v3/user/emails`. Each login gets a stable numeric id.
 */
export const startGithubStandIn = async (client: { id: string; secret: string }) => {
  const ids = new Map<string, number>();
  const codes = new Map<string, { login: string; challenge: string; redirect: string }>();
  const tokens = new Map<string, string>();
  const refused: string[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      req.on('end', () => resolve(body));
    });
  const loginOf = (req: IncomingMessage) => {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return token === undefined ? undefined : tokens.get(token);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== client.id || q.get('code_challenge_method') !== 'S256') {
        refused.push('authorize: client or PKCE method');
        return json(res, 400, { error: 'invalid_request' });
      }
      const login = q.get('login_hint') ?? 'octocat';
      if (!ids.has(login)) ids.set(login, 1000 + ids.size);
      const code = randomUUID();
      const redirect = q.get('redirect_uri') ?? '';
      codes.set(code, { login, challenge: q.get('code_challenge') ?? '', redirect });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await readBody(req));
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
        : [form.get('client_id'), form.get('client_secret')];
      const pending = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (id !== client.id || secret !== client.secret) {
        refused.push('token: client credentials');
        return json(res, 401, { error: 'invalid_client' });
      }
      if (
        !pending ||
        pending.challenge !== challenge ||
        form.get('redirect_uri') !== pending.redirect
      ) {
        refused.push('token: code, verifier or redirect_uri');
        return json(res, 400, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomUUID().replaceAll('-', '')}`;
      tokens.set(token, pending.login);
      return json(res, 200, {
        access_token: token,
        token_type: 'bearer',
        scope: 'read:user,user:email',
      });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api/v3/user')) {
      const login = loginOf(req);
      if (login === undefined) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user') {
        return json(res, 200, { id: ids.get(login), login, name: null, email: null });
      }
      if (url.pathname === '/api/v3/user/emails') {
        return json(res, 200, [
          { email: `${login}@users.example.com`, verified: true, primary: true },
          { email: `${login}-unverified@example.com`, verified: false, primary: false },
        ]);
      }
    }
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** The numeric id the stand-in gave a login (the provider subject). */
    idOf: (login: string) => ids.get(login),
    /** What it refused, and why: a test can assert the flow was clean. */
    refused,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
