/**
 * "The same request table gives the same verdicts through both." ONE spending policy object (callers named from
 * a header, a per-caller budget of 2 images, small limits, a two-model allow-list, a rate-limit hook) configures
 * both adapters: the route of @seedream-kit/react (`createSeedreamRoute`) and the GraphQL schema of
 * @seedream-kit/graphql (`createSeedreamYoga`), each served on loopback against one emulator. Every row of
 * `ROWS` goes through the route (a JSON POST) and then through GraphQL (the `generateImages` mutation with the
 * input the browser transport's `toInput` makes of the same body), and:
 *
 * - the verdicts agree: both succeed, or the route's `error.kind` equals the kind of GraphQL's
 *   `extensions.code` read through core's `clientErrorKindForCode` (with the transport's fallback to the HTTP
 *   status for a code the table does not list: yoga's own 413), and it is the row's expected verdict;
 * - the refused fields agree (the route's `fields[].path`, GraphQL's `fields[].param`), and so does `retryAfter`;
 * - the emulator log shows a generation for exactly the allowed calls, carrying no undeclared key.
 *
 * Budgets live in the policy, so the two adapters share them. The `spender` rows test it: 2 images per caller,
 * one spent through each adapter, and then both refuse; neither adapter alone has spent its 2, so each refusal
 * proves the other adapter's image was counted. A refusal books nothing (`frank` is refused a 3-image group,
 * then gets his 2 single images).
 *
 * `DIVERGENT` pins the requests on which the adapters disagree today (how a body becomes params: nulls, an
 * empty model, enum case, tools the transport drops), so a fix fails there and the row moves to `ROWS`. Last,
 * every kind of CLIENT_ERROR_KINDS raised as a policy refusal reads the same through both.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { CLIENT_ERROR_KINDS, clientErrorKindForCode, clientErrorKindForStatus, createSeedream, type SeedreamClientErrorKind } from '@seedream-kit/core';
import { MemoryBudgetStore, PARAMETERS, SpendingPolicyError, createSpendingPolicy, type SpendingPolicy } from '@seedream-kit/core/server';
import { createSeedreamRoute, toNodeHandler } from '@seedream-kit/react/server';
import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';
import { GENERATE_MUTATION, toInput } from '@seedream-kit/graphql/transport';

const MODEL_45 = 'doubao-seedream-4-5-251128';
const MODEL_LITE = 'doubao-seedream-5-0-260128';
const CALLER_HEADER = 'x-caller';
const BUDGET_PER_CALLER = 2;
const BUDGET_CLOCK = Date.UTC(2026, 0, 1, 12, 30); // half past an hour: a spent budget opens again in 1 800 s
const REF = (n: number) => `https://example.com/reference-${n}.png`;

/** One policy for both adapters. */
function makePolicy(): SpendingPolicy {
  return createSpendingPolicy({
    authorize(request) {
      const who = request.headers.get(CALLER_HEADER);
      if (who === null) return 'unauthenticated';
      if (who === 'banned') return false;
      if (who === 'explode') throw new Error('the session store is down');
      return { id: who }; // an empty id is no caller: refused
    },
    models: [MODEL_45, MODEL_LITE],
    limits: { maxImagesPerRequest: 3, maxReferenceImages: 2, maxPromptLength: 50, maxBodyBytes: 8 * 1024 },
    budget: {
      perCaller: { images: BUDGET_PER_CALLER, windowSeconds: 3600 },
      global: { images: 1000, windowSeconds: 3600 },
      // A stopped clock in the middle of a window: a run that crosses the hour does not reset the budgets.
      store: new MemoryBudgetStore({ now: () => BUDGET_CLOCK }),
    },
    rateLimit({ caller }) {
      if (caller.id === 'throttled') return { allowed: false, retryAfter: 7, message: 'Slow down' };
      if (caller.id === 'hook-throws') throw new Error('the limiter is down');
      return true;
    },
  });
}

type Verdict = 'ok' | SeedreamClientErrorKind;

interface Row {
  name: string;
  /** The `x-caller` header; null sends none. */
  caller: string | null;
  /** The route's JSON body (wire names); GraphQL gets `toInput(body)`. */
  body: Record<string, unknown>;
  expect: Verdict;
  /** Bytes of JSON whitespace added to both bodies (a body over the policy's cap). */
  pad?: number;
}

/** Each allowed row spends one image through each adapter, so allowed rows use a caller of their own. */
const ROWS: Row[] = [
  { name: 'allowed: the server’s default model', caller: 'alice', body: { prompt: 'a kite at dawn' }, expect: 'ok' },
  {
    name: 'allowed: the second allowed model, by an alias spelling',
    caller: 'bob',
    body: { model: 'doubao-seedream-5.0-lite', prompt: 'a kite at noon', size: '2K' },
    expect: 'ok',
  },
  {
    name: 'allowed: a prompt of exactly 50 code points (one astral)',
    caller: 'carol',
    body: { model: MODEL_45, prompt: `a kite 🪁${'.'.repeat(42)}` },
    expect: 'ok',
  },
  { name: 'allowed: two references (the limit)', caller: 'dave', body: { model: MODEL_45, prompt: 'two kites', image: [REF(1), REF(2)] }, expect: 'ok' },
  {
    name: 'allowed: unknown keys, top-level and nested, are dropped',
    caller: 'erin',
    body: {
      model: MODEL_45,
      prompt: 'a kite at dusk',
      optimize_prompt_options: { mode: 'standard', secret: 1 },
      n: 4,
      api_key: 'sk-from-the-browser',
      callback_url: 'https://attacker.example',
    },
    expect: 'ok',
  },
  { name: 'no credentials', caller: null, body: { prompt: 'a kite' }, expect: 'authentication' },
  { name: 'a caller authorize refuses', caller: 'banned', body: { prompt: 'a kite' }, expect: 'permission' },
  { name: 'authorize throws (fails closed)', caller: 'explode', body: { prompt: 'a kite' }, expect: 'permission' },
  { name: 'an empty caller id is no caller', caller: '', body: { prompt: 'a kite' }, expect: 'permission' },
  { name: 'a table model off the allow-list', caller: 'mallory', body: { model: 'doubao-seedream-4-0-250828', prompt: 'a kite' }, expect: 'validation' },
  { name: 'a model that is not Seedream', caller: 'mallory', body: { model: 'gpt-image-1', prompt: 'a kite' }, expect: 'validation' },
  { name: 'a prompt of 51 code points', caller: 'mallory', body: { prompt: 'k'.repeat(51) }, expect: 'validation' },
  { name: 'three references (limit 2)', caller: 'mallory', body: { prompt: 'kites', image: [REF(1), REF(2), REF(3)] }, expect: 'validation' },
  {
    name: 'max_images 4 (limit 3)',
    caller: 'mallory',
    body: { prompt: 'kites', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 4 } },
    expect: 'validation',
  },
  { name: 'an invalid size', caller: 'mallory', body: { prompt: 'a kite', size: 'banana' }, expect: 'validation' },
  { name: 'a size of the wrong type', caller: 'mallory', body: { prompt: 'a kite', size: 2048 }, expect: 'validation' },
  { name: 'a seed beyond 32 bits', caller: 'mallory', body: { prompt: 'a kite', seed: 2 ** 40 }, expect: 'validation' },
  {
    name: 'web search on a model without it',
    caller: 'mallory',
    body: { model: MODEL_45, prompt: 'a kite', tools: [{ type: 'web_search' }] },
    expect: 'validation',
  },
  { name: 'a blank prompt', caller: 'mallory', body: { prompt: '   ' }, expect: 'validation' },
  { name: 'no prompt', caller: 'mallory', body: { size: '2K' }, expect: 'validation' },
  { name: 'a prompt that is not a string', caller: 'mallory', body: { prompt: 42 }, expect: 'validation' },
  {
    name: 'max_images 0',
    caller: 'mallory',
    body: { prompt: 'kites', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 0 } },
    expect: 'validation',
  },
  {
    name: 'an optimize mode no model has',
    caller: 'mallory',
    body: { model: MODEL_45, prompt: 'a kite', optimize_prompt_options: { mode: 'turbo' } },
    expect: 'validation',
  },
  { name: 'a data URI whose bytes are no image', caller: 'mallory', body: { prompt: 'a kite', image: 'data:image/png;base64,AAAA' }, expect: 'validation' },
  { name: 'a body over the policy’s 8 KiB cap', caller: 'mallory', body: { prompt: 'a kite' }, pad: 9 * 1024, expect: 'limit_exceeded' },
  { name: 'the rate-limit hook refuses the caller', caller: 'throttled', body: { prompt: 'a kite' }, expect: 'rate_limit' },
  { name: 'the rate-limit hook throws', caller: 'hook-throws', body: { prompt: 'a kite' }, expect: 'upstream' },
  {
    name: 'a group at the image limit (3) is over the caller budget (2)',
    caller: 'frank',
    body: { prompt: 'a series of 3 kites', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } },
    expect: 'rate_limit',
  },
  {
    name: 'a group without max_images books the injected cap (3): over budget',
    caller: 'frank',
    body: { prompt: 'a series of kites', sequential_image_generation: 'auto' },
    expect: 'rate_limit',
  },
  { name: 'refusals booked nothing: the same caller still has his 2 images', caller: 'frank', body: { prompt: 'one kite' }, expect: 'ok' },
  { name: 'spender: one image through each adapter (the whole budget)', caller: 'spender', body: { prompt: 'a kite for the spender' }, expect: 'ok' },
  { name: 'spender: budget spent across both adapters → refused by both', caller: 'spender', body: { prompt: 'another kite' }, expect: 'rate_limit' },
];

/**
 * Where the adapters disagree today: not the policy (both pass it the same params when they get the same
 * params) but how a body becomes params. Each row pins both verdicts as observed, so a fix fails here and the
 * row moves to ROWS.
 */
const DIVERGENT: Array<Row & { graphql: Verdict; routeReachesProvider?: boolean; why: string }> = [
  {
    name: 'an empty model',
    caller: 'div-1',
    body: { model: '', prompt: 'a kite' },
    expect: 'validation',
    graphql: 'ok',
    why: 'toGenerateParams uses `input.model || defaultModel`; core refuses an empty `model` (REQUEST_SHAPE nonEmpty)',
  },
  {
    name: 'an explicit null (watermark: null)',
    caller: 'div-2',
    body: { prompt: 'a kite', watermark: null },
    expect: 'validation',
    graphql: 'ok',
    why: 'GraphQL null means absent (toInput drops it, toGenerateParams skips it); the route keeps null and the shape refuses it',
  },
  {
    name: 'an enum value in the wrong case (response_format: "URL")',
    caller: 'div-3',
    body: { prompt: 'a kite', response_format: 'URL' },
    expect: 'validation',
    graphql: 'ok',
    why: 'toInput upper-cases any enum string, so "URL" becomes the GraphQL value URL; the route checks the wire enum',
  },
  {
    name: 'a tool other than web search',
    caller: 'div-4',
    body: { prompt: 'a kite', tools: [{ type: 'code_interpreter' }] },
    expect: 'validation',
    graphql: 'ok',
    why: 'toInput keeps only `web_search` tools (webSearch: true) and drops the rest',
  },
  {
    name: 'an empty tools list on a model without web search',
    caller: 'div-5',
    body: { model: MODEL_45, prompt: 'a kite', tools: [] },
    expect: 'bad_request',
    routeReachesProvider: true,
    graphql: 'ok',
    why: 'core validation lets `tools: []` through on any model and the provider (emulator) refuses it with 400; toInput drops it',
  },
];

interface Outcome {
  verdict: Verdict | `unread: ${string}`;
  status: number;
  fields?: string[];
  retryAfter?: number;
  /** GraphQL only: the kind was read from the HTTP status (the code is not in the table). */
  byStatus?: boolean;
  /** Generations the emulator logged during the call. */
  generations: number;
}

let emu: Emulator;
let policy: SpendingPolicy;
const servers: http.Server[] = [];
let routeUrl = '';
let graphqlUrl = '';

async function listen(listener: http.RequestListener): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://127.0.0.1:${port}` };
}

async function close(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** The route and the yoga server of one policy object, each on loopback; their URLs. */
async function serveBoth(shared: SpendingPolicy): Promise<{ route: string; graphql: string }> {
  const client = createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-parity-key', timeout: 20_000 });
  const route = toNodeHandler(createSeedreamRoute({ client, policy: shared }));
  const yoga = createSeedreamYoga({ client, policy: shared, yoga: { graphqlEndpoint: '/graphql', logging: false } });
  const routeServed = await listen((req, res) => void route(req, res));
  const graphqlServed = await listen(yoga as unknown as http.RequestListener);
  servers.push(routeServed.server, graphqlServed.server);
  return { route: `${routeServed.origin}/api/seedream`, graphql: `${graphqlServed.origin}/graphql` };
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  policy = makePolicy();
  ({ route: routeUrl, graphql: graphqlUrl } = await serveBoth(policy));
});
afterAll(async () => {
  for (const server of servers) await close(server);
  await emu?.close();
});

const headersOf = (row: Row): Record<string, string> => ({
  'content-type': 'application/json',
  ...(row.caller === null ? {} : { [CALLER_HEADER]: row.caller }),
});
/** JSON with `pad` bytes of insignificant whitespace before the closing brace. */
const padded = (value: unknown, pad = 0) => `${JSON.stringify(value).slice(0, -1)}${' '.repeat(pad)}}`;

async function counting(call: () => Promise<Omit<Outcome, 'generations'>>): Promise<Outcome> {
  const before = emu.log.generations().length;
  const outcome = await call();
  return { ...outcome, generations: emu.log.generations().length - before };
}

function throughRoute(row: Row, url = routeUrl): Promise<Outcome> {
  return counting(async () => {
    const response = await fetch(url, { method: 'POST', headers: headersOf(row), body: padded(row.body, row.pad) });
    const payload = (await response.json()) as { images?: unknown[]; error?: { kind: string; fields?: Array<{ path: string }>; retryAfter?: number } };
    if (response.ok && Array.isArray(payload.images)) return { verdict: 'ok', status: response.status };
    const error = payload.error;
    return {
      verdict: (error?.kind as Verdict | undefined) ?? `unread: ${JSON.stringify(payload)}`,
      status: response.status,
      ...(error?.fields ? { fields: error.fields.map((field) => field.path).sort() } : {}),
      ...(error?.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    };
  });
}

function throughGraphQL(row: Row, url = graphqlUrl): Promise<Outcome> {
  return counting(async () => {
    const input = await toInput(row.body as Parameters<typeof toInput>[0]);
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headersOf(row), accept: 'application/graphql-response+json, application/json' },
      body: padded({ query: GENERATE_MUTATION, variables: { input, b64: false } }, row.pad),
    });
    const payload = (await response.json()) as {
      data?: { generateImages?: { images: unknown[] } | null } | null;
      errors?: Array<{ extensions?: { code?: string; fields?: Array<{ param: string }>; retryAfter?: number } }>;
    };
    if (!payload.errors?.length && payload.data?.generateImages) return { verdict: 'ok', status: response.status };
    const extensions = payload.errors?.[0]?.extensions ?? {};
    const byCode = clientErrorKindForCode(extensions.code);
    return {
      verdict: byCode ?? (extensions.code === undefined ? `unread: ${JSON.stringify(payload)}` : clientErrorKindForStatus(response.status)),
      status: response.status,
      ...(byCode ? {} : { byStatus: true }),
      ...(extensions.fields ? { fields: extensions.fields.map((field) => field.param).sort() } : {}),
      ...(typeof extensions.retryAfter === 'number' ? { retryAfter: extensions.retryAfter } : {}),
    };
  });
}

/** Keys of an emulator body that neither the table nor (for the one nested object these rows send) the shape declares. */
function undeclaredKeys(body: unknown): string[] {
  const record = body as Record<string, unknown>;
  const out = Object.keys(record).filter((key) => !Object.hasOwn(PARAMETERS, key));
  const optimize = record.optimize_prompt_options as Record<string, unknown> | undefined;
  if (optimize)
    out.push(
      ...Object.keys(optimize)
        .filter((key) => key !== 'mode')
        .map((key) => `optimize_prompt_options.${key}`),
    );
  return out;
}

describe('one policy, two adapters: the same verdicts', () => {
  it('the table is non-trivial: every verdict the policy can give, allowed rows with callers of their own', () => {
    const verdicts = new Set(ROWS.map((row) => row.expect));
    for (const verdict of ['ok', 'authentication', 'permission', 'validation', 'limit_exceeded', 'rate_limit', 'upstream'] as const)
      expect(verdicts).toContain(verdict);
    expect(ROWS.length).toBeGreaterThanOrEqual(20);
  });

  const byStatus: string[] = [];
  for (const row of ROWS) {
    it(row.name, async () => {
      const route = await throughRoute(row);
      const graphql = await throughGraphQL(row);
      if (graphql.byStatus) byStatus.push(row.name);

      expect({ route: route.verdict, graphql: graphql.verdict }).toEqual({ route: row.expect, graphql: row.expect });
      // Exactly the allowed calls reach the provider, once each.
      const expected = row.expect === 'ok' ? 1 : 0;
      expect({ route: route.generations, graphql: graphql.generations }).toEqual({ route: expected, graphql: expected });
      // Where both name the refused fields (GraphQL's own type errors name a variable instead), they agree.
      if (route.fields && graphql.fields) expect(graphql.fields).toEqual(route.fields);
      if (row.expect === 'rate_limit') {
        expect(route.retryAfter, 'route retryAfter').toBeGreaterThan(0);
        expect(graphql.retryAfter, 'GraphQL retryAfter').toBeGreaterThan(0);
        expect(graphql.retryAfter).toBe(route.retryAfter);
      }
      if (row.expect === 'ok') {
        for (const entry of emu.log.generations().slice(-2)) {
          expect(entry.status).toBe(200);
          expect((entry.body as { prompt?: unknown }).prompt).toBe(row.body.prompt);
          expect(undeclaredKeys(entry.body)).toEqual([]);
        }
      }
    });
  }

  it('only yoga’s own body-limit code is read through the HTTP status (every policy refusal carries a table code)', () => {
    expect(byStatus).toEqual(ROWS.filter((row) => row.pad).map((row) => row.name));
  });

  for (const row of DIVERGENT) {
    it(`diverges (known): ${row.name}`, async () => {
      const route = await throughRoute(row);
      const graphql = await throughGraphQL(row);
      expect({ route: route.verdict, graphql: graphql.verdict }, row.why).toEqual({ route: row.expect, graphql: row.graphql });
      expect({ route: route.generations, graphql: graphql.generations }).toEqual({
        route: row.expect === 'ok' || row.routeReachesProvider ? 1 : 0,
        graphql: row.graphql === 'ok' ? 1 : 0,
      });
    });
  }

  it('the shared budget still refuses the spender on both adapters, and others are untouched', async () => {
    const spender = ROWS.find((row) => row.caller === 'spender' && row.expect === 'rate_limit')!;
    expect((await throughGraphQL(spender)).verdict).toBe('rate_limit');
    expect((await throughRoute(spender)).verdict).toBe('rate_limit');
    const fresh: Row = { name: 'fresh', caller: 'zoe', body: { prompt: 'a fresh kite' }, expect: 'ok' };
    expect((await throughGraphQL(fresh)).verdict).toBe('ok');
    expect((await throughRoute(fresh)).verdict).toBe('ok');
  });
});

/**
 * A policy refusal may carry any kind of CLIENT_ERROR_KINDS (`SpendingPolicyError.kind`; the policy itself raises
 * validation, authentication, permission, rate_limit, upstream, and in `readBody` bad_request and limit_exceeded).
 * One object wrapping the policy above refuses a caller `kind:<kind>` with that kind, for both adapters: the
 * route answers the kind with its status, GraphQL with its code (CLIENT_ERROR_KINDS[kind].code, no list of its own).
 */
describe('every kind a policy refusal can carry reads the same through both', () => {
  const KINDS = Object.keys(CLIENT_ERROR_KINDS) as SeedreamClientErrorKind[];
  let urls: { route: string; graphql: string };

  beforeAll(async () => {
    const inner = makePolicy();
    const wrapped: SpendingPolicy = {
      ...inner,
      async admit(input) {
        const kind = /^kind:(.+)$/.exec(input.caller.id)?.[1] as SeedreamClientErrorKind | undefined;
        if (kind) throw new SpendingPolicyError(kind, CLIENT_ERROR_KINDS[kind].status, `refused as ${kind}`);
        return inner.admit(input);
      },
    };
    urls = await serveBoth(wrapped);
  });

  for (const kind of KINDS) {
    it(kind, async () => {
      const row: Row = { name: kind, caller: `kind:${kind}`, body: { prompt: 'a kite' }, expect: kind };
      const route = await throughRoute(row, urls.route);
      const graphql = await throughGraphQL(row, urls.graphql);
      expect(route.verdict).toBe(kind);
      expect(route.status).toBe(CLIENT_ERROR_KINDS[kind].status);
      expect(graphql.verdict, 'GraphQL').toBe(kind);
      expect(route.generations + graphql.generations).toBe(0);
    });
  }
});
