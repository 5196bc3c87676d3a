import { type StoreUnavailable, storeUnavailable } from '@ironstar/application';

/** PostgreSQL's SQLSTATE (five characters) from pg's error or drizzle's wrapper around it. */
export const sqlState = (error: unknown): string | undefined => {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};

/** 23505: unique_violation. */
export const isUniqueViolation = (error: unknown): boolean => sqlState(error) === '23505';

const describe = (error: unknown): string => {
  const state = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  return state ? `${state}: ${message}` : message;
};

/** Any failure to reach, read or write the database: the caller answers 503, nothing was stored. */
export const toUnavailable = (error: unknown): StoreUnavailable =>
  storeUnavailable(`event store unavailable (${describe(error)})`, error);
