import { afterEach, describe, expect, it, vi } from 'vitest';
import { pingEvery } from '../src/server/pings.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('pingEvery: one keep-alive timer shared by every open stream', () => {
  it('pings each joined stream once per period, one interval for all of them, none after it leaves', () => {
    vi.useFakeTimers();
    const a = vi.fn();
    const b = vi.fn();
    const stopA = pingEvery(1000, a);
    const stopB = pingEvery(1000, b);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2000);
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([2, 2]);
    stopA();
    stopA(); // twice is harmless: it does not stop the group b is still in
    vi.advanceTimersByTime(1000);
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([2, 3]);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a stream that leaves an emptied group does not stop the group that replaced it', () => {
    vi.useFakeTimers();
    const first = vi.fn();
    const stopFirst = pingEvery(500, first);
    stopFirst();
    const second = vi.fn();
    const stopSecond = pingEvery(500, second);
    stopFirst();
    vi.advanceTimersByTime(500);
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).not.toHaveBeenCalled();
    const other = vi.fn();
    const stopOther = pingEvery(250, other);
    expect(vi.getTimerCount()).toBe(2); // one per period
    stopSecond();
    stopOther();
    expect(vi.getTimerCount()).toBe(0);
  });
});
