/**
 * Keep-alive comments for open event streams: one interval per period shared by every stream, not a timer per
 * stream (a server with jobs holds thousands of streams open, and each timer is memory for as long as its stream).
 * A stream's first ping comes within one period of opening, and then once per period.
 */
interface PingGroup {
  timer: ReturnType<typeof setInterval>;
  streams: Set<() => void>;
}

const groups = new Map<number, PingGroup>();

function groupFor(period: number): PingGroup {
  const existing = groups.get(period);
  if (existing) return existing;
  const streams = new Set<() => void>();
  const timer = setInterval(() => {
    for (const stream of streams) stream();
  }, period);
  // The streams' own sockets keep the process alive, not this timer.
  (timer as { unref?: () => void }).unref?.();
  const group = { timer, streams };
  groups.set(period, group);
  return group;
}

/** Calls `ping` every `period` ms until the returned function is called (calling it again does nothing). */
export function pingEvery(period: number, ping: () => void): () => void {
  const group = groupFor(period);
  group.streams.add(ping);
  return () => {
    if (!group.streams.delete(ping) || group.streams.size > 0) return;
    clearInterval(group.timer);
    if (groups.get(period) === group) groups.delete(period);
  };
}
