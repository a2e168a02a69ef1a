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

/** Calls `ping` every `period` ms until the returned function is called (calling it again does nothing). */
export function pingEvery(period: number, ping: () => void): () => void {
  let group = groups.get(period);
  if (!group) {
    const streams = new Set<() => void>();
    const timer = setInterval(() => {
      for (const stream of streams) stream();
    }, period);
    // The streams' own sockets keep the process alive, not this timer.
    (timer as { unref?: () => void }).unref?.();
    group = { timer, streams };
    groups.set(period, group);
  }
  const joined = group;
  joined.streams.add(ping);
  return () => {
    if (!joined.streams.delete(ping) || joined.streams.size > 0) return;
    clearInterval(joined.timer);
    if (groups.get(period) === joined) groups.delete(period);
  };
}
