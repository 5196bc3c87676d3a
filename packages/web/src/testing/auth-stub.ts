import { err, ok } from 'neverthrow';
import type { AuthSettings } from '../auth/auth';
import type { Provider } from '../auth/providers';
import type { TestApp } from './test-app';

/**
 * A provider for unit tests of the framework: it signs in whoever the callback names
 * (`?as=subject`), checking the state like a real one. Never configured by the server.
 */
export const stubProvider: Provider = {
  name: 'stub',
  label: 'Stub',
  async start() {
    const state = crypto.randomUUID();
    return {
      url: new URL(`https://id.example/authorize?state=${state}`),
      pending: { state, verifier: 'v' },
    };
  },
  async finish(callback, pending) {
    const subject = callback.searchParams.get('as') ?? '';
    if (callback.searchParams.get('state') !== pending.state || subject === '') {
      return err('stub provider: bad state or subject');
    }
    return ok({
      provider: 'stub',
      issuer: 'https://id.example',
      subject,
      name: `User ${subject}`,
      emails: [`${subject}@example.com`],
    });
  },
};

export const STUB_AUTH: AuthSettings = {
  publicUrl: 'http://localhost',
  sessionSecret: 'a-test-secret-of-at-least-32-chars!',
  adminUsers: ['boss@example.com'],
  providers: [stubProvider],
};

/** `name=value` of each Set-Cookie of a response. */
export const cookiesOf = (res: Response) =>
  res.headers.getSetCookie().map((line) => line.split(';')[0] ?? '');

/** Signs `subject` in through the stub's redirects; returns the session cookie to send. */
export const signInAs = async (t: Pick<TestApp, 'app'>, subject: string): Promise<string> => {
  const started = await t.app.request('/auth/login?provider=stub');
  if (started.status !== 302) throw new Error(`login answered ${started.status}`);
  const state = new URL(started.headers.get('location') ?? '').searchParams.get('state');
  const back = await t.app.request(`/auth/callback/stub?state=${state}&as=${subject}`, {
    headers: { cookie: cookiesOf(started).join('; ') },
  });
  const session = cookiesOf(back).find((cookie) => cookie.startsWith('ironstar_session='));
  if (back.status !== 302 || !session) throw new Error(`callback answered ${back.status}`);
  return session;
};
