/** Array elements stringified per turn of the event loop (~1 ms of work for small items). */
const SLICE = 2000;

/**
 * `JSON.stringify(data)`, but an array is stringified a slice at a time with a turn of the
 * event loop between slices, so a large read model's snapshot (tens of thousands of items)
 * does not hold every request up for one long stretch. The caller must not change the array
 * or its items meanwhile (read models hand over a fresh list of immutable items).
 */
export const jsonInSlices = async (data: unknown): Promise<string> => {
  if (!Array.isArray(data) || data.length <= SLICE) return JSON.stringify(data);
  const parts: string[] = [];
  for (let start = 0; start < data.length; start += SLICE) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    parts.push(JSON.stringify(data.slice(start, start + SLICE)).slice(1, -1));
  }
  return `[${parts.join(',')}]`;
};
