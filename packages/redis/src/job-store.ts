/**
 * Jobs in Redis, so N server instances behave as one: the record in a hash, the event log in a Redis Stream
 * (replay with XREAD from a cursor, which is the stream id), idempotency keys with SET NX PX, cancel requests and
 * heartbeats as fields of the record. `append`, `finish` and `heartbeat` are Lua scripts: a finished job takes no
 * more events, a job ends exactly once, and the log's expiry follows the record's.
 *
 * A running job's record expires after `orphanTtlSeconds` if nobody finishes it (its instance died and nobody
 * looked at it since); a finished one after the retention the runner asked for.
 *
 * Redis restarted without persistence (or flushed): the instance running a job still knows its record and writes
 * it again on its next append, heartbeat or finish (marked `restored`), so the job goes on and its followers get
 * what comes next. What the log held before is gone from Redis; a follower that already had it keeps it.
 * Run Redis with AOF (`appendonly yes`) to keep the whole log across restarts.
 */
import type { CreateJobOptions, CreateJobResult, JobEntry, JobEvent, JobRecord, JobState, JobStore } from '@seedream-kit/core/server';
import type { Redis } from 'ioredis';
import { guarded } from './connection.js';
import { Wakeups } from './wakeups.js';

export interface RedisJobStoreOptions {
  /** Key prefix (default `seedream:`); every key and channel of the store starts with it. */
  prefix?: string;
  /** How long a running job's record lives if it is never finished (its instance died unnoticed). Default 86 400. */
  orphanTtlSeconds?: number;
  /**
   * The connection waiting reads subscribe on (one per store, whatever the number of followers). Default:
   * `redis.duplicate()`, closed by `close()`.
   */
  subscriber?: () => Redis;
}

/** `restore(first)`: when the record vanished, the running instance writes it again from ARGV[first..]. */
const RESTORE = `
local function restore(first)
  if #ARGV < first + 1 then return false end
  local fields = {}
  for i = first + 1, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('PEXPIRE', KEYS[1], ARGV[first])
  return true
end
local function follow_ttl()
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
`;

/** KEYS: record, log. ARGV: event, channel, [restore ttl, field, value …]. The new entry's id, or false. */
const APPEND = `${RESTORE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  if not restore(3) then return false end
  state = 'running'
end
if state ~= 'running' then return false end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[1])
follow_ttl()
redis.call('PUBLISH', ARGV[2], id)
return id
`;

/** KEYS: record, log. ARGV: event, state, heartbeatBefore ('' for none), channel, [restore …]. 1 if it ended the job. */
const FINISH = `${RESTORE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  if not restore(5) then return 0 end
  state = 'running'
end
if state ~= 'running' then return 0 end
if ARGV[3] ~= '' then
  local beat = tonumber(redis.call('HGET', KEYS[1], 'heartbeatAt'))
  if beat and beat >= tonumber(ARGV[3]) then return 0 end
end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[1])
redis.call('HSET', KEYS[1], 'state', ARGV[2])
redis.call('HDEL', KEYS[1], 'cancel')
local keep = math.max(1, tonumber(redis.call('HGET', KEYS[1], 'retentionMs')) or 1)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PUBLISH', ARGV[4], id)
return 1
`;

/** KEYS: record, log. ARGV: now, channel, [restore …]. */
const HEARTBEAT = `${RESTORE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  if restore(3) then
    redis.call('HSET', KEYS[1], 'heartbeatAt', ARGV[1])
    redis.call('PUBLISH', ARGV[2], '')
  end
  return 0
end
if state == 'running' then redis.call('HSET', KEYS[1], 'heartbeatAt', ARGV[1]) end
return 0
`;

/** KEYS: record. Sets the cancel flag of an existing job. */
const CANCEL = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'cancel', '1') end
return 0
`;

type Arg = string | number;
interface Scripts {
  seedreamJobAppend(record: string, log: string, ...args: Arg[]): Promise<string | null>;
  seedreamJobFinish(record: string, log: string, ...args: Arg[]): Promise<number>;
  seedreamJobHeartbeat(record: string, log: string, ...args: Arg[]): Promise<number>;
  seedreamJobCancel(record: string): Promise<number>;
}
type ScriptedRedis = Redis & Scripts;

/** A cursor this store gave (`<ms>-<seq>`); anything else reads from the start. */
const CURSOR = /^\d{1,15}-\d{1,15}$/;

interface Mine {
  record: JobRecord;
  retentionMs: number;
  ttlMs: number;
}

export class RedisJobStore implements JobStore {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;
  readonly #orphanTtlMs: number;
  readonly #wakeups: Wakeups;
  /** Jobs this store created and has not seen end: what it writes again if Redis loses them. */
  readonly #mine = new Map<string, Mine>();

  constructor(redis: Redis, options: RedisJobStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'seedream:';
    this.#orphanTtlMs = (options.orphanTtlSeconds ?? 86_400) * 1000;
    this.#redis = defineScripts(redis);
    this.#wakeups = new Wakeups(options.subscriber ?? (() => redis.duplicate()));
  }

  #record(id: string): string {
    return `${this.#prefix}job:{${id}}`;
  }
  #log(id: string): string {
    return `${this.#prefix}job:{${id}}:log`;
  }
  #channel(id: string): string {
    return `${this.#prefix}job:{${id}}:wake`;
  }
  #key(owner: string, key: string): string {
    return `${this.#prefix}idem:${owner.length}:${owner}:${key}`;
  }

  /** The restore arguments (ttl, field, value …) for a job this store runs; none for the others. */
  #restore(id: string): Arg[] {
    const mine = this.#mine.get(id);
    if (!mine) return [];
    const fields = toFields({ ...mine.record, state: 'running', heartbeatAt: Date.now() }, mine.retentionMs);
    return [mine.ttlMs, ...fields, 'restored', '1'];
  }

  async create(record: JobRecord, options: CreateJobOptions): Promise<CreateJobResult> {
    const key = this.#record(record.id);
    const ttlMs = options.retentionMs + this.#orphanTtlMs;
    await guarded('create', () =>
      this.#redis
        .multi()
        .hset(key, ...toFields(record, options.retentionMs))
        .pexpire(key, ttlMs)
        .exec()
        .then(checkExec),
    );
    if (options.idempotencyKey !== undefined) {
      const idem = this.#key(record.owner, options.idempotencyKey);
      const ttl = Math.max(1, options.idempotencyTtlMs);
      for (let attempt = 0; attempt < 5; attempt++) {
        const taken = await guarded('create', () => this.#redis.set(idem, record.id, 'PX', ttl, 'NX'));
        if (taken === 'OK') break;
        const existing = await guarded('create', () => this.#redis.get(idem));
        if (existing !== null) {
          await guarded('create', () => this.#redis.del(key));
          return { created: false, jobId: existing };
        }
        // The key expired between the two calls: try to take it again.
      }
    }
    this.#mine.set(record.id, { record: { ...record }, retentionMs: options.retentionMs, ttlMs });
    return { created: true };
  }

  async findIdempotent(owner: string, key: string): Promise<string | undefined> {
    return (await guarded('findIdempotent', () => this.#redis.get(this.#key(owner, key)))) ?? undefined;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const hash = await guarded('get', () => this.#redis.hgetall(this.#record(id)));
    return fromFields(hash);
  }

  async append(id: string, event: JobEvent): Promise<void> {
    await guarded('append', () =>
      this.#redis.seedreamJobAppend(this.#record(id), this.#log(id), JSON.stringify(event), this.#channel(id), ...this.#restore(id)),
    );
  }

  async finish(id: string, event: JobEvent, state: Exclude<JobState, 'running'>, condition: { heartbeatBefore?: number } = {}): Promise<boolean> {
    // Only the instance running the job restores it; another one ending it (`heartbeatBefore`) must not.
    const restore = condition.heartbeatBefore === undefined ? this.#restore(id) : [];
    const done = await guarded('finish', () =>
      this.#redis.seedreamJobFinish(
        this.#record(id),
        this.#log(id),
        JSON.stringify(event),
        state,
        condition.heartbeatBefore ?? '',
        this.#channel(id),
        ...restore,
      ),
    );
    this.#mine.delete(id);
    return done === 1;
  }

  async read(id: string, after: string | undefined, options: { waitMs: number; signal?: AbortSignal }): Promise<JobEntry[]> {
    const from = after !== undefined && CURSOR.test(after) ? after : '0-0';
    const fetch = () => guarded('read', () => this.#redis.xread('STREAMS', this.#log(id), from)).then(toEntries);
    const first = await fetch();
    if (first.length > 0 || options.waitMs <= 0 || options.signal?.aborted) return first;
    const wait = this.#wakeups.enter(this.#channel(id));
    try {
      await guarded('read', () => wait.ready);
      const again = await fetch();
      if (again.length > 0) return again;
      await wait.until(options.waitMs, options.signal);
      return await fetch();
    } finally {
      wait.leave();
    }
  }

  async heartbeat(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.#redis.pipeline() as ReturnType<Redis['pipeline']> & { seedreamJobHeartbeat(...args: Arg[]): unknown };
    for (const id of ids) pipeline.seedreamJobHeartbeat(this.#record(id), this.#log(id), now, this.#channel(id), ...this.#restore(id));
    await guarded('heartbeat', () => pipeline.exec().then(checkExec));
  }

  async requestCancel(id: string): Promise<void> {
    await guarded('requestCancel', () => this.#redis.seedreamJobCancel(this.#record(id)));
  }

  async cancelRequests(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.#record(id), 'cancel');
    const replies = await guarded('cancelRequests', () => pipeline.exec().then(checkExec));
    return ids.filter((_, index) => replies[index] === '1');
  }

  /** Closes the subscriber connection and wakes every waiting read (the main connection is the caller's). */
  async close(): Promise<void> {
    await this.#wakeups.close();
  }
}

function defineScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.seedreamJobAppend !== 'function') {
    redis.defineCommand('seedreamJobAppend', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('seedreamJobFinish', { numberOfKeys: 2, lua: FINISH });
    redis.defineCommand('seedreamJobHeartbeat', { numberOfKeys: 2, lua: HEARTBEAT });
    redis.defineCommand('seedreamJobCancel', { numberOfKeys: 1, lua: CANCEL });
  }
  return scripted;
}

/** A MULTI or pipeline answer: the replies, or the first error thrown. */
export function checkExec(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (!results) throw new Error('The transaction was aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

function toFields(record: JobRecord, retentionMs: number): string[] {
  const fields = [
    'id',
    record.id,
    'owner',
    record.owner,
    'state',
    record.state,
    'instance',
    record.instance,
    'createdAt',
    String(record.createdAt),
    'heartbeatAt',
    String(record.heartbeatAt),
    'stream',
    record.stream ? '1' : '0',
    'retentionMs',
    String(retentionMs),
  ];
  if (record.fingerprint !== undefined) fields.push('fingerprint', record.fingerprint);
  return fields;
}

function fromFields(hash: Record<string, string>): JobRecord | undefined {
  if (!hash.id || !hash.owner || !hash.state) return undefined;
  return {
    id: hash.id,
    owner: hash.owner,
    state: hash.state as JobState,
    instance: hash.instance ?? '',
    createdAt: Number(hash.createdAt),
    heartbeatAt: Number(hash.heartbeatAt),
    stream: hash.stream === '1',
    ...(hash.fingerprint !== undefined ? { fingerprint: hash.fingerprint } : {}),
  };
}

type XReadReply = Array<[string, Array<[string, string[]]>]> | null;

function toEntries(reply: XReadReply): JobEntry[] {
  const entries: JobEntry[] = [];
  for (const [, items] of reply ?? []) {
    for (const [cursor, fields] of items) {
      const at = fields.indexOf('e');
      if (at >= 0 && at + 1 < fields.length) entries.push({ cursor, event: JSON.parse(fields[at + 1]!) as JobEvent });
    }
  }
  return entries;
}
