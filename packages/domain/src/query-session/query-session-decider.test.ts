import { describe, expect, it } from 'vitest';
import { fold } from '../decider';
import { DeciderSpecification } from '../testing';
import {
  type CompleteQuery,
  type FailQuery,
  type QuerySessionEvent,
  querySessionDecider,
  type StartQuery,
} from './query-session-decider';
import { SQL_TEXT_MAX, SqlText } from './sql-text';

const spec = DeciderSpecification.for(querySessionDecider);
const id = '6f1d9b8e-0b3c-4d0e-9c1a-2f6f1d9b8e11';
const sql = SqlText.parse('  select count(*) from events  ')._unsafeUnwrap();
const t0 = '2026-11-22T10:00:00.000Z';
const t1 = '2026-11-22T10:00:00.250Z';

const start: StartQuery = { type: 'StartQuery', data: { id, sql, name: 'count', now: t0 } };
const complete: CompleteQuery = {
  type: 'CompleteQuery',
  data: { id, rowCount: 1, durationMs: 12.5, truncated: false, cached: false, now: t1 },
};
const fail: FailQuery = { type: 'FailQuery', data: { id, error: 'Interrupted', now: t1 } };

const started: QuerySessionEvent = {
  type: 'QueryStarted',
  data: { id, sql: 'select count(*) from events', name: 'count', startedAt: t0 },
};
const completed: QuerySessionEvent = {
  type: 'QueryCompleted',
  data: { id, rowCount: 1, durationMs: 12.5, truncated: false, cached: false, completedAt: t1 },
};
const failed: QuerySessionEvent = {
  type: 'QueryFailed',
  data: { id, error: 'Interrupted', failedAt: t1 },
};

describe('QuerySession decider', () => {
  it('starts a pending session', () => spec.given([]).when(start).then([started]));
  it('refuses to start twice', () =>
    spec.given([started]).when(start).thenFails('QueryAlreadyStarted'));
  it('refuses to restart a finished session', () =>
    spec.given([started, completed]).when(start).thenFails('QueryAlreadyStarted'));

  it('completes an executing session', () =>
    spec.given([started]).when(complete).then([completed]));
  it('fails an executing session', () => spec.given([started]).when(fail).then([failed]));

  it('refuses to complete or fail what never started', () => {
    spec.given([]).when(complete).thenFails('QueryNotStarted');
    spec.given([]).when(fail).thenFails('QueryNotStarted');
  });
  it('refuses any second ending', () => {
    spec.given([started, completed]).when(complete).thenFails('QueryAlreadyFinished');
    spec.given([started, completed]).when(fail).thenFails('QueryAlreadyFinished');
    spec.given([started, failed]).when(complete).thenFails('QueryAlreadyFinished');
    spec.given([started, failed]).when(fail).thenFails('QueryAlreadyFinished');
  });
  it('refuses impossible measurements', () => {
    const bad = (data: Partial<CompleteQuery['data']>): CompleteQuery => ({
      ...complete,
      data: { ...complete.data, ...data },
    });
    spec
      .given([started])
      .when(bad({ rowCount: -1 }))
      .thenFails('InvalidMeasurement');
    spec
      .given([started])
      .when(bad({ rowCount: 1.5 }))
      .thenFails('InvalidMeasurement');
    spec
      .given([started])
      .when(bad({ durationMs: Number.NaN }))
      .thenFails('InvalidMeasurement');
  });

  it('walks Pending → Executing → Completed / Failed', () => {
    expect(fold(querySessionDecider, []).status).toBe('pending');
    expect(fold(querySessionDecider, [started]).status).toBe('executing');
    expect(fold(querySessionDecider, [started, completed]).status).toBe('completed');
    expect(fold(querySessionDecider, [started, failed]).status).toBe('failed');
  });
});

describe('SqlText', () => {
  it('trims and accepts ordinary text', () =>
    expect(SqlText.parse(' select 1 ')._unsafeUnwrap()).toBe('select 1'));
  it('refuses empty, too long, NUL and non-strings', () => {
    for (const raw of ['', '   ', 'x'.repeat(SQL_TEXT_MAX + 1), 'select 1\u0000', 42, null]) {
      expect(SqlText.parse(raw).isErr()).toBe(true);
    }
  });
  it('refuses lone surrogates, and keeps well-formed astral text', () => {
    for (const raw of ['select 1 -- \ud800', 'select \udc00', 'select 1 \ud83d']) {
      expect(SqlText.parse(raw)._unsafeUnwrapErr()).toMatchObject({
        type: 'ValidationError',
        field: 'sql',
        message: 'sql must be well-formed Unicode (no lone surrogates)',
      });
    }
    expect(SqlText.parse("select '\ud83d\ude80'").isOk()).toBe(true);
  });
});
