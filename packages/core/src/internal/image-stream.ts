/**
 * `generate({ stream: true })`: an async iterable of typed events over the SSE body (docs/api-contract.md §5).
 *
 * - Events are dispatched on `data.type`, so a missing `event:` line does not matter; unknown types are
 *   skipped; `data: [DONE]` ends the stream.
 * - `event: error` (or an `error` payload) throws the matching APIError; a stream that ends without
 *   `image_generation.completed` throws APIConnectionError. Both carry the images received so far in
 *   `partialResult`: a failure never loses an image that was paid for.
 * - Leaving a `for await` loop early, or `abort()`, aborts the HTTP request.
 * - The idle timer runs only while waiting for bytes, not while the caller is busy with an event.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { APIConnectionError, APIError, APIUserAbortError, SeedreamError, isSeedreamError } from '../errors.js';
import type { FailedImage, GenerateResult, GeneratedImage, ImageStream, ImageStreamEvent, SucceededImage, Usage } from '../types.js';
import { createAPIError, jsonMayHoldSecret, providerErrorOf, scrubResultStrings } from './api-errors.js';
import type { CallScope } from './call-scope.js';
import { isPlainObject } from './plain-object.js';
import { toImage, toTools, toUsage } from './results.js';
import { Utf8Chunks } from './utf8-chunks.js';

const SUCCEEDED = 'image_generation.partial_succeeded';
const FAILED = 'image_generation.partial_failed';
const COMPLETED = 'image_generation.completed';
/** After `completed` / `[DONE]`, how long to wait for the server to close before closing ourselves. */
const CLOSE_GRACE_MS = 2000;

const noop = () => {};

export interface StreamContext {
  response: Response;
  scope: CallScope;
  model: string;
  requestId: string | undefined;
  apiKey: string | undefined;
}

type Deferred = { promise: Promise<GenerateResult>; resolve: (result: GenerateResult) => void; reject: (error: unknown) => void };

function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  let reject!: Deferred['reject'];
  const promise = new Promise<GenerateResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(noop); // reported to whoever awaits finalResult(); never an unhandled rejection
  return { promise, resolve, reject };
}

/** Collects slots and metadata as events arrive, so any failure can hand over what was received. */
class Collector {
  readonly slots = new Map<number, GeneratedImage>();
  model: string;
  created = 0;
  usage: unknown;
  tools: Array<{ type: string }> | undefined;

  constructor(
    model: string,
    private readonly headers: Headers,
    private readonly requestId: string | undefined,
  ) {
    this.model = model;
  }

  note(payload: Record<string, unknown>): { model: string; created: number } {
    if (typeof payload.model === 'string') this.model = payload.model;
    const created = typeof payload.created === 'number' ? payload.created : typeof payload.created_at === 'number' ? payload.created_at : undefined;
    if (created !== undefined && this.created === 0) this.created = created;
    return { model: this.model, created: created ?? this.created };
  }

  nextIndex(payload: Record<string, unknown>): number {
    const index = payload.image_index;
    return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : this.slots.size;
  }

  snapshot(): GenerateResult {
    const images = [...this.slots.values()].sort((a, b) => a.index - b.index);
    const result: GenerateResult = { images, model: this.model, created: this.created, headers: this.headers };
    const usage = toUsage(this.usage, images);
    if (usage) result.usage = usage;
    if (this.tools) result.tools = this.tools;
    if (this.requestId) result.requestId = this.requestId;
    return result;
  }
}

export class SeedreamImageStream implements ImageStream {
  readonly headers: Headers;
  readonly requestId: string | undefined;
  private started = false;
  private readonly ended = deferred();
  private readonly collected: Collector;

  constructor(private readonly context: StreamContext) {
    this.headers = context.response.headers;
    this.requestId = context.requestId;
    this.collected = new Collector(context.model, this.headers, this.requestId);
  }

  abort(): void {
    this.context.scope.abort('user');
  }

  [Symbol.asyncIterator](): AsyncIterator<ImageStreamEvent> {
    if (this.started) {
      throw new SeedreamError('This ImageStream is already being read; iterate it once, or call finalResult() for the collected result.');
    }
    this.started = true;
    return this.run();
  }

  finalResult(): Promise<GenerateResult> {
    if (!this.started) {
      this.started = true;
      void this.drain(this.run());
    }
    return this.ended.promise;
  }

  private async drain(events: AsyncGenerator<ImageStreamEvent>): Promise<void> {
    try {
      for (let step = await events.next(); !step.done; step = await events.next());
    } catch {
      // already passed to `ended`
    }
  }

  private failure(message: string): APIError {
    return new APIError({
      status: this.context.response.status,
      message,
      headers: this.headers,
      requestId: this.requestId,
      partialResult: this.collected.snapshot(),
    });
  }

  /** One SSE message → an event, `'done'`, or nothing (unknown types, empty data). Throws on error events. */
  private handle(message: EventSourceMessage): ImageStreamEvent | 'done' | undefined {
    const data = message.data.trim();
    if (data === '[DONE]') return 'done';
    if (data === '') return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
      // An event that echoes the key (a hostile gateway) is scrubbed before any of it is read.
      if (jsonMayHoldSecret(data, this.context.apiKey)) payload = scrubResultStrings(payload, this.context.apiKey);
    } catch {
      throw this.failure(`A stream event is not valid JSON (${message.event ?? 'no event name'}, ${data.length} characters)`);
    }
    if (!isPlainObject(payload)) return undefined;
    const type = typeof payload.type === 'string' ? payload.type : message.event;
    if (message.event === 'error' || type === 'error' || (payload.error !== undefined && type !== FAILED)) {
      throw createAPIError({
        status: this.context.response.status,
        headers: this.headers,
        error: providerErrorOf(payload) ?? { message: 'the stream reported an error' },
        body: payload,
        apiKey: this.context.apiKey,
        partialResult: this.collected.snapshot(),
        context: 'stream error:',
      });
    }
    const collected = this.collected;
    if (type === SUCCEEDED) {
      const meta = collected.note(payload);
      const index = collected.nextIndex(payload);
      const image = toImage(payload, index) as SucceededImage;
      collected.slots.set(index, image);
      const event: Extract<ImageStreamEvent, { type: typeof SUCCEEDED }> = { type: SUCCEEDED, ...meta, image_index: index, image };
      if (image.url !== undefined) event.url = image.url;
      if (image.size !== undefined) event.size = image.size;
      return event;
    }
    if (type === FAILED) {
      const meta = collected.note(payload);
      const index = collected.nextIndex(payload);
      const image = toImage({ error: payload.error ?? { code: 'unknown', message: '' } }, index, undefined, this.context.apiKey) as FailedImage;
      collected.slots.set(index, image);
      return { type: FAILED, ...meta, image_index: index, error: image.error, image };
    }
    if (type === COMPLETED) {
      const meta = collected.note(payload);
      collected.usage = payload.usage;
      collected.tools = toTools(payload.tools);
      const event: Extract<ImageStreamEvent, { type: typeof COMPLETED }> = { type: COMPLETED, ...meta };
      const usage = toUsage(payload.usage, collected.snapshot().images);
      if (usage) event.usage = usage as Usage;
      if (collected.tools) event.tools = collected.tools;
      return event;
    }
    return undefined; // unknown event types (e.g. previews) are skipped
  }

  private async *run(): AsyncGenerator<ImageStreamEvent> {
    const { response, scope, apiKey } = this.context;
    const reader = response.body?.getReader();
    const decoder = new Utf8Chunks();
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (message) => pending.push(message) });
    let completed: ImageStreamEvent | undefined;
    let sawDone = false;
    let eof = !reader;
    let finished = false;
    let outcome: unknown;
    try {
      while (!eof) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          if (completed || sawDone) chunk = await readWithGrace(reader!, CLOSE_GRACE_MS);
          else {
            // The idle timer runs while a chunk is awaited (inline: a helper's async frame per open stream is memory).
            scope.startIdle();
            try {
              chunk = await scope.untilAborted(reader!.read());
            } finally {
              scope.stopIdle();
            }
          }
        } catch (error) {
          throw scope.failure(error, 'body', { partialResult: this.collected.snapshot(), requestId: this.requestId, apiKey });
        }
        if (chunk.done) {
          parser.feed(decoder.decode());
          parser.reset({ consume: true });
          eof = true;
        } else {
          parser.feed(decoder.decode(chunk.value));
        }
        while (pending.length > 0 && !sawDone) {
          const event = this.handle(pending.shift()!);
          if (event === 'done') sawDone = true;
          else if (event?.type === COMPLETED) completed = event;
          else if (event) yield event;
        }
        pending.length = 0;
      }
      if (!completed) {
        throw new APIConnectionError(
          `The stream ended before image_generation.completed${sawDone ? ' ([DONE] came first)' : ''}; ${this.collected.slots.size} image event(s) were received and are in error.partialResult${this.requestId ? `; request id ${this.requestId}` : ''}.`,
          { phase: 'transfer', partialResult: this.collected.snapshot(), requestId: this.requestId },
        );
      }
      finished = true;
      this.ended.resolve(this.collected.snapshot());
      yield completed;
    } catch (error) {
      outcome = isSeedreamError(error) ? error : scope.failure(error, 'body', { partialResult: this.collected.snapshot(), requestId: this.requestId, apiKey });
      throw outcome;
    } finally {
      if (!finished) {
        // Left early (break, return, an error): stop the request and record why for finalResult().
        if (outcome === undefined) {
          scope.abort('user');
          outcome = scope.abortError({ partialResult: this.collected.snapshot(), requestId: this.requestId });
        } else {
          scope.controller.abort();
        }
        this.ended.reject(outcome);
      }
      if (!eof) reader?.cancel().catch(noop);
      scope.dispose();
    }
  }
}

/** After the last event: wait briefly for the server to close; a server that keeps the socket open is closed. */
async function readWithGrace(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ReadableStreamReadResult<Uint8Array>>((resolve) => {
    timer = setTimeout(() => {
      reader.cancel().catch(noop);
      resolve({ done: true, value: undefined });
    }, ms);
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A stream over a result that arrived as plain JSON (a relay that ignored `stream: true`). The request is
 * already over, so `abort()` has no connection to cancel; it stops the stream as it stops a live one: the next
 * event, or `finalResult()`, throws APIUserAbortError. Its `partialResult` is the whole result, since every
 * image has already arrived (and been billed). After the last event `abort()` does nothing, as on a live stream.
 */
export class ResultImageStream implements ImageStream {
  readonly headers: Headers;
  readonly requestId: string | undefined;
  private started = false;
  private aborted = false;
  private finished = false;

  constructor(private readonly result: GenerateResult) {
    this.headers = result.headers;
    this.requestId = result.requestId;
  }

  abort(): void {
    if (!this.finished) this.aborted = true;
  }

  finalResult(): Promise<GenerateResult> {
    return this.aborted ? Promise.reject(this.abortError()) : Promise.resolve(this.result);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ImageStreamEvent> {
    if (this.started) throw new SeedreamError('This ImageStream is already being read.');
    this.started = true;
    for (const event of this.events()) {
      if (this.aborted) throw this.abortError();
      if (event.type === COMPLETED) this.finished = true;
      yield event;
    }
  }

  private *events(): Generator<ImageStreamEvent> {
    const { model, created } = this.result;
    for (const image of this.result.images) {
      if (image.error) yield { type: FAILED, model, created, image_index: image.index, error: image.error, image };
      else {
        const event: Extract<ImageStreamEvent, { type: typeof SUCCEEDED }> = { type: SUCCEEDED, model, created, image_index: image.index, image };
        if (image.url !== undefined) event.url = image.url;
        if (image.size !== undefined) event.size = image.size;
        yield event;
      }
    }
    const done: Extract<ImageStreamEvent, { type: typeof COMPLETED }> = { type: COMPLETED, model, created };
    if (this.result.usage) done.usage = this.result.usage;
    if (this.result.tools) done.tools = this.result.tools;
    yield done;
  }

  private abortError(): APIUserAbortError {
    return new APIUserAbortError(
      `The stream was aborted by the caller. The answer had already arrived in full: its ${this.result.images.length} image(s) are in error.partialResult${this.requestId ? `; request id ${this.requestId}` : ''}.`,
      { partialResult: this.result, requestId: this.requestId },
    );
  }
}
