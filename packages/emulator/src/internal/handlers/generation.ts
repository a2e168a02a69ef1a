/**
 * POST …/images/generations: auth, faults, validation, then the images as one JSON body or as SSE events.
 */
import type { IncomingMessage } from 'node:http';
import { referenceColors } from '../art/reference.js';
import type { Exchange, ServerContext } from '../context.js';
import { type ApiError, type Envelope, errorForStatus, invalidParameter, MESSAGES } from '../errors.js';
import { FaultSyntaxError, type Faults, parseFaults } from '../faults.js';
import { BodyTooLarge, readBody, sendJsonText } from '../http-util.js';
import { sleep } from '../latency.js';
import { shortenForLog } from '../request-log.js';
import { dataItem, generateSlots, type GenerationPlan, type Slot, usageFor } from '../generation.js';
import { validateRequest } from '../validate.js';
import { sendApiError } from './errors.js';

function authError(context: ServerContext, header: string | undefined): ApiError | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  const key = match?.[1]?.trim();
  if (key && (!context.apiKeys || context.apiKeys.has(key))) return undefined;
  return {
    status: 401,
    code: 'AuthenticationError',
    message: MESSAGES.auth,
    comet: { code: '', message: 'Invalid token' },
  };
}

function combinedSpec(server: string | undefined, header: string | undefined): string | undefined {
  const parts = [server, header].map((part) => part?.trim()).filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(',') : undefined;
}

export async function handleGeneration(context: ServerContext, exchange: Exchange, req: IncomingMessage, envelope: Envelope): Promise<void> {
  const { entry, signal } = exchange;
  let raw: Buffer;
  try {
    raw = await readBody(req, context.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      sendApiError(
        context,
        exchange,
        { status: 413, code: 'InvalidParameter', param: '', message: 'The request body is too large' },
        { envelope, headers: { connection: 'close' } },
      );
    }
    return;
  }
  let body: unknown;
  let bodyIsJson = true;
  try {
    body = raw.byteLength > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    bodyIsJson = false;
  }
  const stream = typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
  context.log.update(entry, { body: bodyIsJson ? shortenForLog(body) : `<${raw.byteLength} bytes, not JSON>`, stream });

  const unauthorized = authError(context, req.headers.authorization);
  if (unauthorized) return sendApiError(context, exchange, unauthorized, { envelope });

  const header = req.headers['x-emulator-fault'];
  const headerSpec = Array.isArray(header) ? header.join(',') : header;
  let faults: Faults;
  try {
    faults = parseFaults(headerSpec, context.serverFaults.parsed);
  } catch (error) {
    if (!(error instanceof FaultSyntaxError)) throw error;
    return sendApiError(context, exchange, invalidParameter('x-emulator-fault', error.message), { envelope });
  }
  context.log.update(entry, { fault: combinedSpec(context.serverFaults.spec, headerSpec) });
  const nextLatency = faults.latency !== undefined ? () => faults.latency as number : context.latency;

  if (faults.reset) {
    await sleep(nextLatency(), signal);
    exchange.cutByServer = true;
    req.socket.destroy();
    return;
  }
  if (faults.status !== undefined) {
    await sleep(nextLatency(), signal);
    const headers: Record<string, string> = {};
    if (faults.retryAfter !== undefined || faults.status === 429 || faults.status === 503) headers['retry-after'] = String(faults.retryAfter ?? 1);
    return sendApiError(context, exchange, errorForStatus(faults.status, faults.code), { envelope, headers });
  }
  if (!bodyIsJson) {
    return sendApiError(context, exchange, invalidParameter('', 'the request body is not valid JSON'), { envelope });
  }

  const validation = await validateRequest(body, { rejectUnsupportedParams: context.rejectUnsupportedParams });
  if (!validation.ok) return sendApiError(context, exchange, validation.error, { envelope });
  const request = validation.request;
  const plan: GenerationPlan = {
    request,
    referenceColors: await referenceColors(request.images),
    failImages: faults.failImages,
    nextLatency,
    signal,
  };
  if (request.stream) await streamImages(context, exchange, plan, faults);
  else await answerJson(context, exchange, plan, faults);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Breaks JSON text so no parser accepts it, while it still looks like the real body. */
const malform = (text: string) => text.replace(/}$/, ',}');

async function answerJson(context: ServerContext, exchange: Exchange, plan: GenerationPlan, faults: Faults): Promise<void> {
  const { request } = plan;
  const slots: Slot[] = [];
  for await (const slot of generateSlots(plan, context)) {
    slots.push(slot);
    context.log.update(exchange.entry, { imagesGenerated: slots.filter((s) => s.ok).length });
  }
  const body: Record<string, unknown> = { model: request.modelId, created: nowSeconds(), data: slots.map((slot) => dataItem(slot, request)) };
  if (request.webSearch) body.tools = [{ type: 'web_search' }];
  body.usage = usageFor(slots, request);
  if (faults.slowHeaders) await sleep(faults.slowHeaders, plan.signal);
  context.log.update(exchange.entry, { response: shortenForLog(body) });
  const text = JSON.stringify(body);
  if (faults.malformedJson) return sendJsonText(exchange.res, 200, malform(text));
  if (faults.truncate) {
    const bytes = Buffer.from(text);
    exchange.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.byteLength) });
    exchange.cutByServer = true;
    exchange.res.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)), () => exchange.res.socket?.destroy());
    return;
  }
  sendJsonText(exchange.res, 200, text);
}

async function streamImages(context: ServerContext, exchange: Exchange, plan: GenerationPlan, faults: Faults): Promise<void> {
  const { request, signal } = plan;
  const { res, entry } = exchange;
  let opened = false;
  let firstEvent = true;
  const open = async () => {
    if (opened) return;
    if (faults.slowHeaders) await sleep(faults.slowHeaders, signal);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    opened = true;
  };
  const eventText = (type: string, payload: unknown) => {
    let data = JSON.stringify(payload);
    if (faults.malformedJson && firstEvent) data = malform(data);
    firstEvent = false;
    return `event: ${type}\ndata: ${data}\n\n`;
  };
  const write = (type: string, payload: unknown) => {
    res.write(eventText(type, payload));
    context.log.update(entry, { events: [...entry.events, type] });
  };
  /** Applies stall-stream / stream-error once `delivered` image events were sent; true when the stream stops. */
  const interrupt = async (delivered: number): Promise<boolean> => {
    if (faults.stallStream === delivered) {
      await open();
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      return true;
    }
    if (faults.streamError === delivered) {
      await open();
      write('error', { error: { code: 'InternalServiceError', message: `${MESSAGES.internal}. Request ID: ${exchange.requestId}` } });
      res.end();
      return true;
    }
    return false;
  };

  const slots: Slot[] = [];
  if (await interrupt(0)) return;
  for await (const slot of generateSlots(plan, context)) {
    await open();
    slots.push(slot);
    const common = { model: request.modelId, created: nowSeconds(), image_index: slot.index };
    if (slot.ok) {
      const image = slot.url !== undefined ? { url: slot.url } : { b64_json: slot.b64 };
      write('image_generation.partial_succeeded', { type: 'image_generation.partial_succeeded', ...common, ...image, size: `${slot.width}x${slot.height}` });
      context.log.update(entry, { imagesGenerated: entry.imagesGenerated + 1 });
    } else {
      write('image_generation.partial_failed', { type: 'image_generation.partial_failed', ...common, error: slot.error });
    }
    if (await interrupt(slots.length)) return;
  }
  await open();
  const completed: Record<string, unknown> = {
    type: 'image_generation.completed',
    model: request.modelId,
    created: nowSeconds(),
    usage: usageFor(slots, request),
  };
  if (request.webSearch) completed.tools = [{ type: 'web_search' }];
  if (faults.truncate) {
    const text = eventText('image_generation.completed', completed);
    exchange.cutByServer = true;
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
    return;
  }
  write('image_generation.completed', completed);
  res.write('data: [DONE]\n\n');
  context.log.update(entry, { events: [...entry.events, '[DONE]'] });
  res.end();
}
