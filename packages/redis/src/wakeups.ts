/**
 * Wakes readers waiting for a job's next event, across instances, over ONE subscriber connection per store
 * (not one blocking connection per follower: 2 000 followed jobs stay 2 connections). Every append publishes on
 * the job's channel; a waiting read subscribes to it (shared by all readers of that job on this instance, kept a
 * moment after the last one leaves so a follower's next read does not resubscribe), then reads the stream again.
 */
import type { Redis } from 'ioredis';
import { quit } from './connection.js';

interface Channel {
  waiters: Set<Waiter>;
  ready: Promise<unknown>;
  linger: ReturnType<typeof setTimeout> | undefined;
}

interface Waiter {
  woken: boolean;
  wake: () => void;
}

export interface WaitHandle {
  /** Resolves once the subscription is live (rejects when Redis is unreachable). */
  ready: Promise<unknown>;
  /** Resolves on the next notification (or one that came since `enter`), after `ms`, or on abort. */
  until(ms: number, signal?: AbortSignal): Promise<void>;
  leave(): void;
}

const LINGER_MS = 2000;

export class Wakeups {
  readonly #connect: () => Redis;
  #sub: Redis | undefined;
  #connectedOnce = false;
  readonly #channels = new Map<string, Channel>();
  #closed = false;

  constructor(connect: () => Redis) {
    this.#connect = connect;
  }

  #subscriber(): Redis {
    if (this.#sub) return this.#sub;
    const sub = this.#connect();
    sub.on('message', (channel: string) => this.#wakeChannel(channel));
    sub.on('ready', () => {
      // After a reconnect, notifications sent meanwhile are lost: let every waiter read again now.
      if (this.#connectedOnce) for (const channel of this.#channels.keys()) this.#wakeChannel(channel);
      this.#connectedOnce = true;
    });
    this.#sub = sub;
    return sub;
  }

  enter(channel: string): WaitHandle {
    let slot = this.#channels.get(channel);
    if (slot) {
      clearTimeout(slot.linger);
      slot.linger = undefined;
    } else {
      const sub = this.#subscriber();
      const created: Channel = { waiters: new Set(), ready: Promise.resolve(), linger: undefined };
      created.ready = sub.subscribe(channel).catch((error: unknown) => {
        // Forget it, so the next reader subscribes again.
        if (this.#channels.get(channel) === created) this.#channels.delete(channel);
        throw error;
      });
      this.#channels.set(channel, created);
      slot = created;
    }
    const current = slot;
    let resolveWake: () => void = () => {};
    const woken = new Promise<void>((resolve) => {
      resolveWake = resolve;
    });
    const waiter: Waiter = {
      woken: false,
      wake: () => {
        waiter.woken = true;
        resolveWake();
      },
    };
    current.waiters.add(waiter);
    if (this.#closed) waiter.wake();
    return {
      ready: current.ready,
      until: async (ms, signal) => {
        if (waiter.woken || signal?.aborted) return;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let onAbort: (() => void) | undefined;
        await Promise.race([
          woken,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, ms);
            onAbort = resolve;
            signal?.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      },
      leave: () => {
        current.waiters.delete(waiter);
        if (current.waiters.size > 0 || this.#channels.get(channel) !== current || current.linger) return;
        current.linger = setTimeout(() => {
          if (current.waiters.size > 0 || this.#channels.get(channel) !== current) return;
          this.#channels.delete(channel);
          this.#sub?.unsubscribe(channel).catch(() => {});
        }, LINGER_MS);
        current.linger.unref?.();
      },
    };
  }

  #wakeChannel(channel: string): void {
    const slot = this.#channels.get(channel);
    if (slot) for (const waiter of slot.waiters) waiter.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [channel, slot] of this.#channels) {
      clearTimeout(slot.linger);
      this.#wakeChannel(channel);
    }
    this.#channels.clear();
    const sub = this.#sub;
    this.#sub = undefined;
    if (sub) await quit(sub);
  }
}
