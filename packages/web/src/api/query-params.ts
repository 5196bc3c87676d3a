/** A query or header value as a non-negative integer: absent is `fallback`, anything odd undefined. */
export const nonNegativeInt = (raw: string | undefined, fallback: number): number | undefined => {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
};
