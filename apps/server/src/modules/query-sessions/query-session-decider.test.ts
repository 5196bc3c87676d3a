import { checkStateMachine } from '@ironstar/application/testing';
import { fold } from '@ironstar/domain';
import { DeciderSpecification } from '@ironstar/domain/testing';
import { describe, expect, it } from 'vitest';
import { querySessionAggregate } from './query-session-aggregate';
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
  it('matches its declared state machine', () =>
    checkStateMachine(querySessionAggregate, {
      histories: {
        pending: [],
        executing: [started],
        completed: [started, completed],
        failed: [started, failed],
      },
      commands: [start, complete, fail],
    }));
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
    const refused = querySessionDecider.decide(
      bad({ durationMs: -0.5 }),
      fold(querySessionDecider, [started]),
    );
    expect(refused._unsafeUnwrapErr()).toEqual({
      type: 'InvalidMeasurement',
      id,
      message: 'rowCount and durationMs must be non-negative',
    });
  });
  it('accepts zero rows in zero milliseconds (a cached empty result)', () => {
    const zero: CompleteQuery = {
      ...complete,
      data: { ...complete.data, rowCount: 0, durationMs: 0, cached: true },
    };
    spec
      .given([started])
      .when(zero)
      .then([
        {
          type: 'QueryCompleted',
          data: { id, rowCount: 0, durationMs: 0, truncated: false, cached: true, completedAt: t1 },
        },
      ]);
  });
  it('throws on an event type it does not know: a bug, never skipped silently', () => {
    const stray = { type: 'QueryPaused', data: { id } } as unknown as QuerySessionEvent;
    expect(() => fold(querySessionDecider, [started, stray])).toThrow(
      'unhandled case: {"type":"QueryPaused"',
    );
    const command = { type: 'PauseQuery', data: { id } } as unknown as CompleteQuery;
    expect(() => querySessionDecider.decide(command, fold(querySessionDecider, [started]))).toThrow(
      'unhandled case: {"type":"PauseQuery"',
    );
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
  it('accepts from 1 to SQL_TEXT_MAX characters', () => {
    expect(SqlText.parse('x')._unsafeUnwrap()).toBe('x');
    expect(SqlText.parse('x'.repeat(SQL_TEXT_MAX)).isOk()).toBe(true);
  });
  it('refuses empty, too long, NUL and non-strings, saying why', () => {
    const cases: Array<[unknown, string]> = [
      ['', `sql must be 1-${SQL_TEXT_MAX} characters`],
      ['   ', `sql must be 1-${SQL_TEXT_MAX} characters`],
      ['x'.repeat(SQL_TEXT_MAX + 1), `sql must be 1-${SQL_TEXT_MAX} characters`],
      ['select 1\u0000', 'sql must not contain NUL'],
      [42, 'sql must be a string'],
      [null, 'sql must be a string'],
    ];
    for (const [raw, message] of cases) {
      expect(SqlText.parse(raw)._unsafeUnwrapErr()).toEqual({
        type: 'ValidationError',
        field: 'sql',
        message,
      });
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
