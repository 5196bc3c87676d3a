import type { OAuth2Client } from 'arctic';
import { err, ok, type Result } from 'neverthrow';
import type * as Oidc from 'openid-client';

// The provider libraries load on first use: most servers configure one provider or none, and
// loading both at every start cost tens of milliseconds of a start budget of a few hundred.
const loadOidc = () => import('openid-client');
const loadArctic = () => import('arctic');

/** 'oidc', 'github', or an application's own provider's name (a URL path segment). */
export type ProviderName = string;

/** Who the provider says signed in. */
export type ProviderIdentity = {
  readonly provider: ProviderName;
  /** The issuer (OIDC) or GitHub's base URL: with the subject, what the user id derives from. */
  readonly issuer: string;
  readonly subject: string;
  readonly name: string;
  /** Verified addresses only: ADMIN_USERS may name one. */
  readonly emails: readonly string[];
};

/** What a started flow must remember until its callback (kept in a signed cookie). */
export type PendingLogin = {
  readonly state: string;
  readonly verifier: string;
  readonly nonce?: string;
};

export type Provider = {
  readonly name: ProviderName;
  readonly label: string;
  start(): Promise<{ readonly url: URL; readonly pending: PendingLogin }>;
  /** `callback` is the callback URL as the browser was sent to it (PUBLIC_URL based). */
  finish(callback: URL, pending: PendingLogin): Promise<Result<ProviderIdentity, string>>;
};

export type OidcSettings = {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
};
export type GithubSettings = {
  readonly clientId: string;
  readonly clientSecret: string;
  /** https://github.com, an Enterprise server, or a stand-in in tests. */
  readonly url: string;
};

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
/** Plain http is only for a provider on this machine (a local provider, tests). */
export const isLoopbackUrl = (url: URL) => LOOPBACK.test(url.hostname);

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** OpenID Connect by discovery (openid-client): PKCE S256, state and nonce checked. */
export const oidcProvider = (settings: OidcSettings, callbackUrl: string): Provider => {
  const issuer = new URL(settings.issuer);
  let configuration: Promise<Oidc.Configuration> | undefined;
  // Discovered on first use, and again after a failure (the provider may come up later).
  const discover = () => {
    configuration ??= loadOidc()
      .then((oidc) =>
        oidc.discovery(
          issuer,
          settings.clientId,
          settings.clientSecret,
          undefined,
          issuer.protocol === 'http:' && isLoopbackUrl(issuer)
            ? { execute: [oidc.allowInsecureRequests], timeout: 10 }
            : { timeout: 10 },
        ),
      )
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      });
    return configuration;
  };
  return {
    name: 'oidc',
    label: `OpenID Connect (${issuer.host})`,
    async start() {
      const config = await discover();
      const oidc = await loadOidc();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, pending: { state, verifier, nonce } };
    },
    async finish(callback, pending) {
      try {
        const config = await discover();
        const oidc = await loadOidc();
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          ...(pending.nonce ? { expectedNonce: pending.nonce } : {}),
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) return err('the provider sent no ID token');
        const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '');
        const email = text(claims.email);
        return ok({
          provider: 'oidc',
          issuer: config.serverMetadata().issuer,
          subject: claims.sub,
          name: text(claims.name) || text(claims.preferred_username) || email || claims.sub,
          // An address the provider did not verify names nobody (ADMIN_USERS).
          emails: email && claims.email_verified !== false ? [email] : [],
        });
      } catch (error) {
        return err(message(error));
      }
    },
  };
};

/** GitHub's JSON answers are small; anything bigger is refused, not buffered. */
const MAX_API_BYTES = 256 * 1024;

const fetchJson = async (url: string, token: string): Promise<unknown> => {
  const res = await fetch(url, {
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/vnd.github+json',
      'User-Agent': 'ironstar',
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_API_BYTES) throw new Error(`${url} answered too much`);
  const text = await res.text();
  if (text.length > MAX_API_BYTES) throw new Error(`${url} answered too much`);
  return JSON.parse(text) as unknown;
};

/** The user API of github.com, or of an Enterprise server at `base`. */
export const githubApiBase = (base: string) =>
  new URL(base).host === 'github.com' ? 'https://api.github.com' : `${base}/api/v3`;

/**
 * GitHub or GitHub Enterprise (arctic's generic OAuth2Client: its GitHub class knows only
 * github.com), with PKCE S256 and state checked; the user from the user API.
 */
export const githubProvider = (settings: GithubSettings, callbackUrl: string): Provider => {
  const base = settings.url.replace(/\/+$/, '');
  let client: OAuth2Client | undefined;
  const arcticClient = async () => {
    const arctic = await loadArctic();
    client ??= new arctic.OAuth2Client(settings.clientId, settings.clientSecret, callbackUrl);
    return { arctic, client };
  };
  const api = githubApiBase(base);
  return {
    name: 'github',
    label: new URL(base).host === 'github.com' ? 'GitHub' : `GitHub (${new URL(base).host})`,
    async start() {
      const { arctic, client } = await arcticClient();
      const state = arctic.generateState();
      const verifier = arctic.generateCodeVerifier();
      const url = client.createAuthorizationURLWithPKCE(
        `${base}/login/oauth/authorize`,
        state,
        arctic.CodeChallengeMethod.S256,
        verifier,
        ['read:user', 'user:email'],
      );
      return { url, pending: { state, verifier } };
    },
    async finish(callback, pending) {
      const code = callback.searchParams.get('code');
      const state = callback.searchParams.get('state');
      if (callback.searchParams.has('error')) {
        return err(`GitHub refused: ${callback.searchParams.get('error')}`);
      }
      if (!code || state !== pending.state) return err('state or code missing or wrong');
      try {
        const { client } = await arcticClient();
        const tokens = await client.validateAuthorizationCode(
          `${base}/login/oauth/access_token`,
          code,
          pending.verifier,
        );
        const token = tokens.accessToken();
        const user = (await fetchJson(`${api}/user`, token)) as {
          id?: unknown;
          login?: unknown;
          name?: unknown;
        };
        if (typeof user.id !== 'number' || !Number.isSafeInteger(user.id) || user.id <= 0) {
          return err('the GitHub user has no id');
        }
        const login = typeof user.login === 'string' ? user.login : String(user.id);
        // Verified addresses only; without the scope's answer, none (not an error).
        const listed = await fetchJson(`${api}/user/emails`, token).catch(() => []);
        const emails = Array.isArray(listed)
          ? listed
              .filter(
                (e): e is { email: string; verified: true } =>
                  typeof e?.email === 'string' && e.verified === true,
              )
              .slice(0, 20)
              .map((e) => e.email)
          : [];
        return ok({
          provider: 'github',
          issuer: base,
          subject: String(user.id),
          name: typeof user.name === 'string' && user.name !== '' ? user.name : login,
          emails,
        });
      } catch (error) {
        return err(message(error));
      }
    },
  };
};
