export { asUser, type SignedInUser } from './as-user';
export { cookiesOf, STUB_AUTH, signInAs, stubProvider } from './auth-stub';
export { cartErrors, cartModule, parseCartCommand } from './cart-module';
export { onSseMessages } from './sse-messages';
export { createTestApp, readSse, type TestApp, type TestAppOptions } from './test-app';
