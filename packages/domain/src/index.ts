export { assertNever } from './assert-never';
export { type Decider, fold, type Message } from './decider';
export type { Upcaster } from './upcaster';
export { isUuid } from './uuid';
export { type ValidationError, validationError } from './validation';
