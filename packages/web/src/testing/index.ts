export { asUser, testUser } from './as-user';
export { cartErrors, cartModule, parseCartCommand } from './cart-module';
export { createTestApp, readSse, type TestApp, type TestAppOptions } from './test-app';
