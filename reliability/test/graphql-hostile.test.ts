/**
 * GraphQL hostile input, against createSeedreamYoga served on loopback (batching off, as shipped, and on): alias,
 * fragment and batch multiplication of the paid field, deep and huge documents, oversized variables. Each is
 * refused with an explicit `extensions.code`, the emulator's log proves that no generation was sent, the server
 * keeps answering, and its memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { startGraphQLServer, type Served } from '../fixtures/channels.mjs';
import { MODEL, entriesOf } from '../fixtures/fault-matrix.mjs';

let emu: Emulator;
let batchingOff: Served;
let batchingOn: Served;
let calls = 0;
let rssBefore = 0;

const BATCH_LIMIT = 10;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  batchingOff = await startGraphQLServer(emu);
  batchingOn = await startGraphQLServer(emu, { graphql: { yoga: { batching: { limit: BATCH_LIMIT } } } });
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  await batchingOff.close();
  await batchingOn.close();
  await emu.close();
});

const INPUT = { model: MODEL, prompt: 'a lighthouse at dusk', size: '1K', watermark: false };
const VARS = 'mutation Hostile($input: GenerateImagesInput!)';
const paid = (alias = '') => `${alias}generateImages(input: $input) { images { index url } }`;

interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string; limit?: number };
}
interface GqlAnswer {
  data?: unknown;
  errors?: GqlError[];
}
interface Sent {
  status: number;
  tag: string;
  answers: GqlAnswer[];
  codes: string[];
  text: string;
}

/** POSTs a GraphQL body (object, array for batches, or raw text) tagged for the emulator log. */
async function post(server: Served, body: unknown): Promise<Sent> {
  const tag = `gql-hostile-${++calls}`;
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-reliability-call': tag },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: GqlAnswer | GqlAnswer[] = {};
  try {
    parsed = JSON.parse(text) as GqlAnswer | GqlAnswer[];
  } catch {
    // not JSON: codes stays empty and the test fails on it
  }
  const answers = Array.isArray(parsed) ? parsed : [parsed];
  const codes = answers.flatMap((answer) => (answer.errors ?? []).map((error) => error.extensions?.code ?? `(no code) ${error.message}`));
  return { status: response.status, tag, answers, codes, text };
}

/** Requests that reached the emulator for this tag (a generation is paid: the hostile cases must show none). */
const generationsOf = (sent: Sent) => entriesOf(emu, sent.tag).length;

describe('paid-field multiplication is refused before anything runs', () => {
  it.each<[string, string]>([
    ['two aliases', `${VARS} { ${paid('a: ')} ${paid('b: ')} }`],
    ['thirty aliases', `${VARS} { ${Array.from({ length: 30 }, (_, i) => paid(`a${i}: `)).join(' ')} }`],
    ['an alias next to the plain field', `${VARS} { ${paid()} ${paid('again: ')} }`],
    ['aliases inside two fragments', `fragment F on Mutation { ${paid('f: ')} } fragment G on Mutation { ${paid('g: ')} } ${VARS} { ...F ...G }`],
    ['a fragment next to the field', `fragment F on Mutation { ${paid('f: ')} } ${VARS} { ${paid()} ...F }`],
    ['inline fragments', `${VARS} { ... on Mutation { ${paid('a: ')} } ... on Mutation { ${paid('b: ')} } }`],
    ['a nested fragment chain', `fragment A on Mutation { ${paid('a: ')} ...B } fragment B on Mutation { ${paid('b: ')} } ${VARS} { ...A }`],
    ['@skip on the second field (counted anyway)', `${VARS} { ${paid('a: ')} b: generateImages(input: $input) @skip(if: true) { images { url } } }`],
  ])('%s: OPERATION_LIMIT_EXCEEDED, no generation', async (_name, query) => {
    const sent = await post(batchingOff, { query, variables: { input: INPUT } });
    expect(sent.codes).toContain('OPERATION_LIMIT_EXCEEDED');
    expect(sent.answers[0]!.data ?? null).toBeNull();
    expect(generationsOf(sent)).toBe(0);
  });

  it('the same fragment spread 50 times is merged into one field: one generation, never 50', async () => {
    const query = `fragment F on Mutation { ${paid()} } ${VARS} { ${Array.from({ length: 50 }, () => '...F').join(' ')} }`;
    const sent = await post(batchingOff, { query, variables: { input: INPUT } });
    expect(sent.codes).toEqual([]);
    expect(generationsOf(sent)).toBe(1);
  });

  it('the paid field with two different inputs under one response key: GRAPHQL_VALIDATION_FAILED, no generation', async () => {
    const query = `mutation ($a: GenerateImagesInput!, $b: GenerateImagesInput!) { ... on Mutation { generateImages(input: $a) { images { url } } } ... on Mutation { generateImages(input: $b) { images { url } } } }`;
    const sent = await post(batchingOff, { query, variables: { a: INPUT, b: { ...INPUT, prompt: 'another' } } });
    expect(sent.codes).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(generationsOf(sent)).toBe(0);
  });

  it('two subscription root fields: refused (GRAPHQL_VALIDATION_FAILED or OPERATION_LIMIT_EXCEEDED), no generation', async () => {
    const field = (alias: string) => `${alias}imageGeneration(input: $input) { __typename }`;
    const sent = await post(batchingOff, {
      query: `subscription ($input: GenerateImagesInput!) { ${field('a: ')} ${field('b: ')} }`,
      variables: { input: INPUT },
    });
    expect(sent.codes.length).toBeGreaterThan(0);
    expect(sent.codes.every((code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'OPERATION_LIMIT_EXCEEDED')).toBe(true);
    expect(generationsOf(sent)).toBe(0);
  });

  it('two operations in one document without operationName: refused, no generation', async () => {
    const sent = await post(batchingOff, {
      query: `${VARS} { ${paid()} } mutation Other($input: GenerateImagesInput!) { ${paid()} }`,
      variables: { input: INPUT },
    });
    expect(sent.codes.length).toBeGreaterThan(0);
    expect(sent.status).toBeGreaterThanOrEqual(400);
    expect(generationsOf(sent)).toBe(0);
  });
});

describe('batched requests', () => {
  const one = { query: `${VARS} { ${paid()} }`, variables: { input: INPUT } };

  it('batching off (the default): an array body is refused with BAD_REQUEST, no generation', async () => {
    const sent = await post(batchingOff, [one, one, one]);
    expect(sent.status).toBe(400);
    expect(sent.codes).toEqual(['BAD_REQUEST']);
    expect(generationsOf(sent)).toBe(0);
  });

  it('batching on: three mutations in one HTTP request share one budget — one generation, two OPERATION_LIMIT_EXCEEDED', async () => {
    const sent = await post(batchingOn, [one, one, one]);
    expect(sent.answers).toHaveLength(3);
    expect(sent.codes.sort()).toEqual(['OPERATION_LIMIT_EXCEEDED', 'OPERATION_LIMIT_EXCEEDED']);
    expect(generationsOf(sent)).toBe(1);
  });

  it('batching on: aliases inside a batched operation are still refused at validation', async () => {
    const sent = await post(batchingOn, [{ query: `${VARS} { ${paid('a: ')} ${paid('b: ')} }`, variables: { input: INPUT } }, { query: '{ __typename }' }]);
    expect(sent.codes).toContain('OPERATION_LIMIT_EXCEEDED');
    expect(generationsOf(sent)).toBe(0);
  });

  it(`batching on: a batch above its limit (${BATCH_LIMIT}) is refused whole, no generation`, async () => {
    const sent = await post(
      batchingOn,
      Array.from({ length: BATCH_LIMIT + 1 }, () => one),
    );
    expect(sent.status).toBeGreaterThanOrEqual(400);
    expect(sent.codes.length).toBeGreaterThan(0);
    expect(sent.codes.every((code) => code === 'BAD_REQUEST')).toBe(true);
    expect(generationsOf(sent)).toBe(0);
  });
});

describe('deep and huge documents', () => {
  const nest = (depth: number) => `${'{ ofType '.repeat(depth)}{ name }${' }'.repeat(depth)}`;

  it('introspection nested 40 levels: QUERY_TOO_COMPLEX', async () => {
    const sent = await post(batchingOff, { query: `{ __schema { types { fields { type ${nest(40)} } } } }` });
    expect(sent.status).toBe(400);
    expect(sent.codes).toContain('QUERY_TOO_COMPLEX');
  });

  it('a deep selection reached through nested fragments: QUERY_TOO_COMPLEX', async () => {
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment T${i} on __Type { ofType { ${i < 19 ? `...T${i + 1}` : 'name'} } }`).join(' ');
    const sent = await post(batchingOff, { query: `${fragments} { __schema { types { ...T0 } } }` });
    expect(sent.codes).toContain('QUERY_TOO_COMPLEX');
  });

  it('a fragment cycle: GRAPHQL_VALIDATION_FAILED (no stack overflow)', async () => {
    const sent = await post(batchingOff, { query: 'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }' });
    expect(sent.status).toBe(400);
    expect(sent.codes).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('100 000 nested braces: refused with a code, no crash', async () => {
    const sent = await post(batchingOff, { query: `${'{ a '.repeat(100_000)}${'}'.repeat(100_000)}` });
    expect(sent.status).toBe(400);
    expect(sent.codes).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('a document of 5 000 tokens holding the paid field: GRAPHQL_PARSE_FAILED (token cap), no generation', async () => {
    const filler = Array.from({ length: 5_000 }, () => '__typename').join(' ');
    const sent = await post(batchingOff, { query: `${VARS} { ${paid()} ${filler} }`, variables: { input: INPUT } });
    expect(sent.status).toBe(400);
    expect(sent.codes).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(generationsOf(sent)).toBe(0);
  });

  it('many aliases of a free field (31): QUERY_TOO_COMPLEX', async () => {
    const sent = await post(batchingOff, { query: `{ ${Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')} }` });
    expect(sent.codes).toContain('QUERY_TOO_COMPLEX');
  });
});

describe('oversized variables', () => {
  it('a 20 MB prompt: BAD_USER_INPUT on field "prompt", no generation, a short answer', async () => {
    const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: { ...INPUT, prompt: 'x'.repeat(20 * 1024 * 1024) } } });
    expect(sent.codes).toEqual(['BAD_USER_INPUT']);
    expect(sent.answers[0]!.errors![0]!.extensions!.field).toBe('prompt');
    expect(sent.text.length).toBeLessThan(100_000); // the prompt is not echoed back
    expect(generationsOf(sent)).toBe(0);
  });

  it('a 20 MB images list (2 000 data URIs of 10 kB): BAD_USER_INPUT on "images", no generation', async () => {
    const images = Array.from({ length: 2_000 }, () => `data:image/png;base64,${'A'.repeat(10_000)}`);
    const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: { ...INPUT, images } } });
    expect(sent.codes).toEqual(['BAD_USER_INPUT']);
    expect(sent.answers[0]!.errors![0]!.extensions!.field).toMatch(/^images/);
    expect(generationsOf(sent)).toBe(0);
  });

  it('one 20 MB reference image: BAD_USER_INPUT on "images[0]", no generation', async () => {
    const sent = await post(batchingOff, {
      query: `${VARS} { ${paid()} }`,
      variables: { input: { ...INPUT, images: [`data:image/png;base64,${'A'.repeat(20 * 1024 * 1024)}`] } },
    });
    expect(sent.codes).toEqual(['BAD_USER_INPUT']);
    expect(sent.answers[0]!.errors![0]!.extensions!.field).toMatch(/^images/);
    expect(generationsOf(sent)).toBe(0);
  });

  it('absurd sizes (maxImages 1e9, size 100000x100000, seed -5): refused with a code, no generation', async () => {
    for (const extra of [{ sequential: true, maxImages: 1_000_000_000 }, { size: '100000x100000' }, { size: '0x0' }, { seed: -5 }, { guidanceScale: 1e300 }]) {
      const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: { ...INPUT, ...extra } } });
      expect(sent.codes.length, JSON.stringify(extra)).toBeGreaterThan(0);
      expect(
        sent.codes.filter((code) => !['BAD_USER_INPUT', 'OPERATION_LIMIT_EXCEEDED'].includes(code)),
        JSON.stringify(extra),
      ).toEqual([]);
      expect(generationsOf(sent)).toBe(0);
    }
  });

  // graphql-js reports a variable it cannot coerce without a code; found by this suite, createSeedreamYoga now
  // gives such errors BAD_USER_INPUT so a client can tell them apart by code.
  it.each<[string, Record<string, unknown>]>([
    ['seed 2^40 (not a 32-bit Int)', { seed: 2 ** 40 }],
    ['prompt as a number', { prompt: 42 }],
    ['images as an object', { images: { 0: 'x' } }],
  ])('a variable that fails coercion (%s) is refused with BAD_USER_INPUT', async (_name, extra) => {
    const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: { ...INPUT, ...extra } } });
    expect(generationsOf(sent)).toBe(0);
    expect(sent.codes).toEqual(['BAD_USER_INPUT']);
  });

  it('a variable that fails coercion is refused before the resolver: no generation', async () => {
    for (const extra of [{ seed: 2 ** 40 }, { prompt: 42 }, { images: { 0: 'x' } }]) {
      const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: { ...INPUT, ...extra } } });
      expect(sent.answers[0]!.errors?.length, JSON.stringify(extra)).toBeGreaterThan(0);
      expect(generationsOf(sent)).toBe(0);
    }
  });

  it('malformed bodies: not JSON, a JSON string, no query — refused with a code', async () => {
    for (const body of ['{"query": ', '"just a string"', '{}', '{"query": 42}']) {
      const sent = await post(batchingOff, body);
      expect([body, sent.status >= 400, sent.codes.length > 0]).toEqual([body, true, true]);
    }
  });
});

describe('cross-site ("simple") requests must not start a paid generation', () => {
  const MUTATION = `${VARS} { ${paid()} }`;
  const SUBSCRIPTION = 'subscription ($input: GenerateImagesInput!) { imageGeneration(input: $input) { __typename } }';
  const tagged = () => `gql-hostile-${++calls}`;

  it('a text/plain POST: 415, no generation', async () => {
    const tag = tagged();
    const response = await fetch(batchingOff.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-reliability-call': tag },
      body: JSON.stringify({ query: MUTATION, variables: { input: INPUT } }),
    });
    await response.text();
    expect(response.status).toBe(415);
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });

  it('a GET of the mutation: 405 BAD_REQUEST, no generation', async () => {
    const tag = tagged();
    const response = await fetch(`${batchingOff.url}?${new URLSearchParams({ query: MUTATION, variables: JSON.stringify({ input: INPUT }) })}`, {
      headers: { 'x-reliability-call': tag },
    });
    expect(response.status).toBe(405);
    expect(((await response.json()) as GqlAnswer).errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });

  // An HTML <form> posts application/x-www-form-urlencoded cross-site with the victim's cookies and no CORS
  // preflight; yoga accepts that encoding. Found by this suite: paid fields now need a JSON POST (FORBIDDEN).
  it('an application/x-www-form-urlencoded POST (an HTML form) is refused: FORBIDDEN, no generation', async () => {
    const tag = tagged();
    const response = await fetch(batchingOff.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-reliability-call': tag },
      body: new URLSearchParams({ query: MUTATION, variables: JSON.stringify({ input: INPUT }) }).toString(),
    });
    expect(((await response.json()) as GqlAnswer).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });

  // Yoga serves subscriptions over GET (SSE), whatever the Accept header: an <img src>, a prefetch or a
  // cross-origin EventSource used to be enough to start a paid generation with the victim's cookies.
  it.each<[string, Record<string, string>]>([
    ['Accept: text/event-stream (EventSource)', { accept: 'text/event-stream' }],
    ['no Accept header (an <img src>)', {}],
  ])('a GET of the paid subscription with %s starts no generation', async (_name, headers) => {
    const tag = tagged();
    const response = await fetch(`${batchingOff.url}?${new URLSearchParams({ query: SUBSCRIPTION, variables: JSON.stringify({ input: INPUT }) })}`, {
      headers: { ...headers, 'x-reliability-call': tag },
    });
    await response.text();
    expect(entriesOf(emu, tag)).toHaveLength(0);
  });
});

describe('afterwards', () => {
  it('the server still answers: a public query works, and a normal mutation generates exactly once', async () => {
    const models = await post(batchingOff, { query: '{ seedreamModels { id } }' });
    expect(models.codes).toEqual([]);
    expect((models.answers[0]!.data as { seedreamModels: unknown[] }).seedreamModels.length).toBeGreaterThan(0);
    const sent = await post(batchingOff, { query: `${VARS} { ${paid()} }`, variables: { input: INPUT } });
    expect(sent.codes).toEqual([]);
    expect(generationsOf(sent)).toBe(1);
  });

  it('memory stayed bounded (generous: under 600 MB more than before the hostile requests)', () => {
    globalThis.gc?.();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(600 * 1024 * 1024);
  });
});
