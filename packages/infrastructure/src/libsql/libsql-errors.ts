import { type StoreUnavailable, storeUnavailable } from '@ironstar/application';

type SqliteLikeError = {
  code?: unknown;
  extendedCode?: unknown;
  message?: unknown;
  cause?: unknown;
};

/** Walks drizzle's and libsql's wrappers down to the SQLite error codes. */
export const sqliteCodes = (error: unknown): string[] => {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const e = current as SqliteLikeError;
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.extendedCode === 'string') codes.push(e.extendedCode);
    current = e.cause;
  }
  return codes;
};

export const isUniqueViolation = (error: unknown): boolean =>
  sqliteCodes(error).some(
    (code) => code.includes('CONSTRAINT_UNIQUE') || code.includes('CONSTRAINT_PRIMARYKEY'),
  );

const describe = (error: unknown): string => {
  const codes = sqliteCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${codes[0]}: ${message}` : message;
};

/** Any failure to read or write the database: the caller answers 503 and nothing was stored. */
export const toUnavailable = (error: unknown): StoreUnavailable =>
  storeUnavailable(`event store unavailable (${describe(error)})`, error);
