/** A UUID in canonical 8-4-4-4-12 form, any case (aggregate ids the framework makes are these). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID: safe to place inside a Datastar expression or a selector. */
export const isUuid = (raw: unknown): raw is string => typeof raw === 'string' && UUID.test(raw);
