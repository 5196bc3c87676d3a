/** Who a request acts for: every route reads it from the context as `c.get('user')`. */
export type User = {
  /** Stable id: the events' `actor`, and the owner of what the user creates. */
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
  /** The session it came with (absent for local mode and API tokens). */
  readonly sessionId?: string;
};

export const ADMIN_ROLE = 'admin';

/** Local mode (no provider, loopback only): every request is this one admin. */
export const LOCAL_USER: User = { id: 'local', name: 'Local user', roles: [ADMIN_ROLE] };

export const isAdmin = (user: User): boolean => user.roles.includes(ADMIN_ROLE);
