import { describe, expect, it } from 'vitest';
import { createTopicRouter, topicSegment, userTopic } from './topic-router';

describe('topic router', () => {
  it("delivers a user's change to that user's listeners only", () => {
    const router = createTopicRouter<string>();
    const alice: string[] = [];
    const bob: string[] = [];
    router.subscribe(userTopic('alice', 'todos'), (m) => alice.push(m));
    router.subscribe(userTopic('alice', 'todos'), (m) => alice.push(`2:${m}`));
    router.subscribe(userTopic('bob', 'todos'), (m) => bob.push(m));

    expect(router.publish(userTopic('alice', 'todos'), 'a1')).toBe(2);
    expect(alice).toEqual(['a1', '2:a1']);
    expect(bob).toEqual([]);
    expect(router.publish(userTopic('bob', 'todos'), 'b1')).toBe(1);
    expect(bob).toEqual(['b1']);
    expect(alice).toHaveLength(2);
  });

  it('matches `/**` prefixes segment by segment, never by raw string prefix', () => {
    const router = createTopicRouter<number>();
    const seen: Record<string, string[]> = { user: [], users: [], all: [], other: [], al: [] };
    router.subscribe('users/alice/**', (_, topic) => seen.user?.push(topic));
    router.subscribe('users/**', (_, topic) => seen.users?.push(topic));
    router.subscribe('**', (_, topic) => seen.all?.push(topic));
    router.subscribe('events/**', (_, topic) => seen.other?.push(topic));
    // `users/al/**` must not catch `users/alice/…`.
    router.subscribe('users/al/**', (_, topic) => seen.al?.push(topic));

    router.publish('users/alice/todos', 1);
    router.publish('users/alice', 2);
    router.publish('users/bob/orders', 3);
    expect(seen).toEqual({
      user: ['users/alice/todos', 'users/alice'],
      users: ['users/alice/todos', 'users/alice', 'users/bob/orders'],
      all: ['users/alice/todos', 'users/alice', 'users/bob/orders'],
      other: [],
      al: [],
    });
  });

  it('escapes ids so one cannot reach another user or act as a wildcard', () => {
    expect(userTopic('a/b', 'todos')).toBe('users/a%2Fb/todos');
    expect(topicSegment('**')).toBe('%2A%2A');
    const router = createTopicRouter<string>();
    const victim: string[] = [];
    router.subscribe(userTopic('alice', 'todos'), (m) => victim.push(m));
    router.publish(userTopic('alice/todos', 'x'), 'no');
    router.publish(userTopic('**', 'todos'), 'no');
    expect(victim).toEqual([]);
    expect(() => router.subscribe('users/*/todos', () => {})).toThrow();
    expect(() => router.publish('users/**', 'x')).toThrow();
  });

  it('stops delivering once unsubscribed, also from inside a delivery, and forgets empty topics', () => {
    const router = createTopicRouter<string>();
    const got: string[] = [];
    const stop = router.subscribe('t', (m) => {
      got.push(m);
      stop();
    });
    const keep = router.subscribe('t', (m) => got.push(`keep:${m}`));
    expect(router.subscribers('t')).toBe(2);
    router.publish('t', 'one');
    router.publish('t', 'two');
    expect(got).toEqual(['one', 'keep:one', 'keep:two']);
    keep();
    keep();
    expect(router.subscribers()).toBe(0);
    expect(router.publish('t', 'three')).toBe(0);
  });
});
