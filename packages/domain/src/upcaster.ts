/**
 * Lifts a stored event's payload from `fromVersion` to `fromVersion + 1`. Pure, like a decider:
 * stored events are never rewritten; they are read through a chain of these.
 */
export type Upcaster = {
  /** Only this aggregate's events (absent: every aggregate's event of that type and version). */
  readonly aggregateType?: string;
  readonly eventType: string;
  readonly fromVersion: number;
  readonly upcast: (payload: unknown) => unknown;
};
