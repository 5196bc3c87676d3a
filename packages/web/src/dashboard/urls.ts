/**
 * Query strings that are safe inside a Datastar expression: `encodeURIComponent` leaves
 * `'`, `(`, `)`, `!` and `*` alone, and a `'` would end the action's string literal.
 */
export const queryString = (params: Record<string, string | number | undefined | null>) => {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${key}=${encode(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
};

const encode = (value: string) =>
  encodeURIComponent(value).replace(
    /['()!*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** Reads Datastar's signals from a GET request (`?datastar=<json>`); anything odd is `{}`. */
export const signalsOf = (raw: string | undefined): Record<string, unknown> => {
  if (!raw || raw.length > 16 * 1024) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
};

/** `HH:MM:SS.mmm` of an ISO timestamp (UTC), for dense lists. */
export const clockTime = (iso: string) => iso.slice(11, 23);

export const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);
