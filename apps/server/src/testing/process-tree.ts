import { readdirSync, readFileSync } from 'node:fs';

// Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms.
const TICK_MS = 10;

/** Parent pid, state and CPU time of a live process, from /proc (Linux); undefined once gone. */
const statOf = (pid: number): { ppid: number; state: string; cpuMs: number } | undefined => {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 3, 4, 14 and 15 of proc(5): state, ppid, utime, stime.
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    return { ppid: Number(fields[1]), state: fields[0] ?? '', cpuMs };
  } catch {
    return undefined;
  }
};

/** CPU time (user + system) a live process has used so far, in ms (10 ms resolution). */
export const cpuMs = (pid: number) => statOf(pid)?.cpuMs ?? Number.NaN;

/** Every process below `root` (children, grandchildren, ...), as pids. */
export const descendants = (root: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift() ?? -1) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
};

/** True while `pid` runs (a zombie waiting to be reaped has stopped running). */
export const isRunning = (pid: number) => {
  const stat = statOf(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
};
