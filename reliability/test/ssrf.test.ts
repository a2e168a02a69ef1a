/**
 * SSRF: `downloadImage` from @seedream-kit/core/node. Complements packages/core/test/download.test.ts (which
 * covers one literal per range, `localhost`, and a redirect to 127.0.0.2 / metadata) with: every other
 * spelling of a forbidden address (decimal, octal, hex, short forms, IPv6 range edges, IPv4 embedded in
 * IPv6), both transports (node:http and an injected fetch), names that resolve to forbidden addresses (the
 * machine's own names, and DNS answers simulated by replacing node:dns lookup — no internet), redirects from an
 * allow-listed first hop to each of those, and the precision of the allow-list.
 *
 * Every refusal must happen before a byte is sent: the loopback servers count what they receive.
 */
import dns from 'node:dns';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDownloadError, type DownloadError } from '@seedream-kit/core';
import { downloadImage } from '@seedream-kit/core/node';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1c0d3f00000000049454e44ae426082',
  'hex',
);

interface Server {
  host: string;
  port: number;
  url: string;
  hits: string[];
  close(): Promise<void>;
}

/** A loopback server: `/image.png` answers an image, `/redirect?to=<url>&status=<code>` redirects there. */
async function startServer(host: string): Promise<Server> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? '/');
    const url = new URL(request.url ?? '/', 'http://placeholder');
    if (url.pathname === '/redirect') {
      response.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' });
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      response.end(PNG);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${hostInUrl}:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function refusal(work: Promise<unknown>): Promise<DownloadError> {
  try {
    await work;
  } catch (error) {
    if (isDownloadError(error)) return error;
    throw new Error(`expected a DownloadError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a refusal, got a download');
}

/** An injected fetch that records every call (it must not be reached for a refused address). */
function recordingFetch() {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push(String(input));
    return globalThis.fetch(input, init);
  };
  return { calls, fetchImpl };
}

let first: Server; // 127.0.0.1, the allow-listed first hop
let second: Server; // 127.0.0.2, a forbidden target that counts what reaches it
let ipv6: Server | undefined; // ::1, when the machine has IPv6 loopback

beforeAll(async () => {
  first = await startServer('127.0.0.1');
  second = await startServer('127.0.0.2');
  ipv6 = await startServer('::1').catch(() => undefined);
});
afterAll(async () => {
  await Promise.all([first.close(), second.close(), ipv6?.close()]);
});

const onlyFirst = { allowHttp: true, allowPrivateNetwork: ['127.0.0.1'], timeout: 3000 } as const;

describe('every spelling of a forbidden address is refused before connecting', () => {
  // [url, the address core reports]; https, so a refusal cannot come from the http check instead.
  const LITERALS: Array<[string, string]> = [
    ['https://2130706433/a.png', '127.0.0.1'], // decimal
    ['https://0x7f.1/a.png', '127.0.0.1'], // hex + short form
    ['https://0x7f000001/a.png', '127.0.0.1'], // one hex number
    ['https://017700000001/a.png', '127.0.0.1'], // one octal number
    ['https://0177.0.0.1/a.png', '127.0.0.1'], // octal octet
    ['https://127.1/a.png', '127.0.0.1'], // short form
    ['https://127.255.255.254/a.png', '127.255.255.254'], // all of 127/8
    ['https://0/a.png', '0.0.0.0'],
    ['https://10.255.255.255/a.png', '10.255.255.255'],
    ['https://012.1.2.3/a.png', '10.1.2.3'],
    ['https://172.16.0.0/a.png', '172.16.0.0'],
    ['https://172.31.255.255/a.png', '172.31.255.255'],
    ['https://0xac.0x1f.0.1/a.png', '172.31.0.1'],
    ['https://192.168.255.255/a.png', '192.168.255.255'],
    ['https://3232235777/a.png', '192.168.1.1'],
    ['https://169.254.0.1/a.png', '169.254.0.1'],
    ['https://169.254.255.255/a.png', '169.254.255.255'],
    ['https://2852039166/latest/meta-data/', '169.254.169.254'], // metadata, decimal
    ['https://0xa9.0xfe.0xa9.0xfe/latest/meta-data/', '169.254.169.254'], // metadata, hex octets
    ['https://0251.0376.0251.0376/latest/meta-data/', '169.254.169.254'], // metadata, octal octets
    ['https://[0:0:0:0:0:0:0:1]/a.png', '::1'],
    ['https://[fc00::1]/a.png', 'fc00::1'], // fc00::/7, lower half
    ['https://[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/a.png', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['https://[fe80::1]/a.png', 'fe80::1'], // fe80::/10
    ['https://[febf:ffff::1]/a.png', 'febf:ffff::1'], // top of fe80::/10
    ['https://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254'], // AWS metadata over IPv6
    ['https://[::ffff:127.0.0.1]/a.png', '::ffff:7f00:1'], // IPv4-mapped
    ['https://[0:0:0:0:0:ffff:7f00:1]/a.png', '::ffff:7f00:1'],
    ['https://[::ffff:169.254.169.254]/latest/meta-data/', '::ffff:a9fe:a9fe'],
    ['https://[::ffff:10.0.0.1]/a.png', '::ffff:a00:1'],
    ['https://[::ffff:192.168.0.1]/a.png', '::ffff:c0a8:1'],
    ['https://[64:ff9b::a9fe:a9fe]/a.png', '64:ff9b::a9fe:a9fe'], // NAT64 of metadata
    ['https://[2002:a9fe:a9fe::1]/a.png', '2002:a9fe:a9fe::1'], // 6to4 of metadata
    ['https://[::]/a.png', '::'],
  ];

  it.each(LITERALS)('%s (node:http transport)', async (url, address) => {
    const error = await refusal(downloadImage(url, { timeout: 2000 }));
    expect(error).toMatchObject({ reason: 'blocked-address', address });
  });

  it.each(LITERALS)('%s (injected fetch transport: never called)', async (url, address) => {
    const { calls, fetchImpl } = recordingFetch();
    const error = await refusal(downloadImage(url, { timeout: 2000, fetch: fetchImpl }));
    expect(error).toMatchObject({ reason: 'blocked-address', address });
    expect(calls).toEqual([]);
  });

  it('refuses 127.0.0.2 spelled in four ways and the server there never sees a request', async () => {
    for (const host of ['127.0.0.2', '2130706434', '0x7f000002', '0177.0.0.02']) {
      const error = await refusal(downloadImage(`http://${host}:${second.port}/image.png`, { allowHttp: true, timeout: 2000 }));
      expect([host, error.reason, error.address]).toEqual([host, 'blocked-address', '127.0.0.2']);
    }
    expect(second.hits).toEqual([]);
  });

  it('refuses ::1 in its spellings and the server there never sees a request', async () => {
    for (const host of ['[::1]', '[0::1]', '[0000:0000:0000:0000:0000:0000:0000:0001]']) {
      const error = await refusal(downloadImage(`http://${host}:${ipv6?.port ?? 9}/image.png`, { allowHttp: true, timeout: 2000 }));
      expect([host, error.reason, error.address]).toEqual([host, 'blocked-address', '::1']);
    }
    expect(ipv6?.hits ?? []).toEqual([]);
  });
});

describe('host names that resolve to forbidden addresses', () => {
  const names = ['LOCALHOST', 'localhost.', 'LocalHost.'];
  // This machine's own name usually resolves to a loopback or private address (checked at run time).
  const own = os.hostname();

  it.each(names)('%s is refused at connect time, nothing reaches the server (both transports)', async (name) => {
    const url = `http://${name}:${first.port}/image.png`;
    // A name this machine cannot resolve (here: the trailing-dot form) is refused as a network failure.
    const resolves = (await dns.promises.lookup(name, { all: true }).catch(() => [])).length > 0;
    const reason = resolves ? 'blocked-address' : 'network';
    const before = first.hits.length;
    const direct = await refusal(downloadImage(url, { allowHttp: true, timeout: 2000 }));
    expect(direct.reason).toBe(reason);
    const { calls, fetchImpl } = recordingFetch();
    const viaFetch = await refusal(downloadImage(url, { allowHttp: true, timeout: 2000, fetch: fetchImpl }));
    expect(viaFetch.reason).toBe(reason);
    expect(calls).toEqual([]);
    expect(first.hits.length).toBe(before);
  });

  it('a *.localhost name is refused (blocked, or not resolvable here), nothing reaches the server', async () => {
    const before = first.hits.length;
    const error = await refusal(downloadImage(`http://images.localhost:${first.port}/image.png`, { allowHttp: true, timeout: 2000 }));
    expect(['blocked-address', 'network']).toContain(error.reason);
    expect(first.hits.length).toBe(before);
  });

  it(`the machine's own name (${own}) is refused when it resolves to a private address`, async () => {
    const addresses = await dns.promises.lookup(own, { all: true }).catch(() => []);
    const { isPrivateAddress } = await import('@seedream-kit/core/node');
    if (addresses.length === 0 || !addresses.some((entry) => isPrivateAddress(entry.address))) return; // nothing to prove here
    const before = first.hits.length;
    const error = await refusal(downloadImage(`http://${own}:${first.port}/image.png`, { allowHttp: true, timeout: 2000 }));
    expect(error.reason).toBe('blocked-address');
    expect(first.hits.length).toBe(before);
  });

  describe('simulated DNS answers (node:dns lookup replaced for these tests; no network)', () => {
    const ANSWERS: Record<string, dns.LookupAddress[]> = {
      'metadata.rebind.test': [{ address: '169.254.169.254', family: 4 }],
      'intranet.rebind.test': [{ address: '10.0.0.7', family: 4 }],
      'ula.rebind.test': [{ address: 'fd12:3456::1', family: 6 }],
      'mapped.rebind.test': [{ address: '::ffff:192.168.0.1', family: 6 }],
      // One public and one private address: every address must be allowed, not just the first.
      'mixed.rebind.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '172.20.0.5', family: 4 },
      ],
      'second.rebind.test': [{ address: '127.0.0.2', family: 4 }],
    };
    const original = dns.lookup;

    beforeAll(() => {
      const fake = ((hostname: string, options: unknown, callback?: unknown) => {
        const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
        const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
        const answer = ANSWERS[hostname.toLowerCase().replace(/\.$/, '')];
        if (!answer) return (original as (...args: unknown[]) => void)(hostname, options, callback);
        process.nextTick(() => (all ? done(null, answer) : done(null, answer[0]!.address, answer[0]!.family)));
      }) as typeof dns.lookup;
      dns.lookup = fake;
      syncBuiltinESMExports();
    });
    afterAll(() => {
      dns.lookup = original;
      syncBuiltinESMExports();
    });

    const EXPECTED: Array<[string, string]> = [
      ['metadata.rebind.test', '169.254.169.254'],
      ['intranet.rebind.test', '10.0.0.7'],
      ['ula.rebind.test', 'fd12:3456::1'],
      ['mapped.rebind.test', '::ffff:192.168.0.1'],
      ['mixed.rebind.test', '172.20.0.5'],
    ];

    it.each(EXPECTED)('%s → %s is refused (node:http transport)', async (name, address) => {
      const error = await refusal(downloadImage(`https://${name}/a.png`, { timeout: 2000 }));
      expect(error).toMatchObject({ reason: 'blocked-address', address });
    });

    it.each(EXPECTED)('%s → %s is refused (injected fetch transport: never called)', async (name, address) => {
      const { calls, fetchImpl } = recordingFetch();
      const error = await refusal(downloadImage(`https://${name}/a.png`, { timeout: 2000, fetch: fetchImpl }));
      expect(error).toMatchObject({ reason: 'blocked-address', address });
      expect(calls).toEqual([]);
    });

    it('the simulation is real: a name answered with an allowed address is downloaded', async () => {
      const bytes = await downloadImage(`http://second.rebind.test:${second.port}/image.png`, {
        allowHttp: true,
        allowPrivateNetwork: ['127.0.0.2'],
        timeout: 2000,
      });
      expect(Buffer.from(bytes).equals(PNG)).toBe(true);
      second.hits.length = 0;
    });

    it('a redirect from an allow-listed hop to a name that resolves to a private address is refused', async () => {
      const to = encodeURIComponent(`http://second.rebind.test:${second.port}/image.png`);
      const error = await refusal(downloadImage(`${first.url}/redirect?to=${to}`, onlyFirst));
      expect(error).toMatchObject({ reason: 'blocked-address', address: '127.0.0.2' });
      expect(second.hits).toEqual([]);
    });
  });
});

describe('redirects from an allow-listed first hop (127.0.0.1) to forbidden places', () => {
  afterEach(() => {
    expect(second.hits).toEqual([]); // the forbidden server never sees a request
    expect(ipv6?.hits ?? []).toEqual([]);
  });

  it('the first hop itself is allowed (the setup is sound)', async () => {
    const bytes = await downloadImage(`${first.url}/image.png`, onlyFirst);
    expect(Buffer.from(bytes).equals(PNG)).toBe(true);
  });

  const targets = (): Array<[string, string]> => [
    [`http://2130706434:${second.port}/image.png`, '127.0.0.2'],
    [`http://0x7f000002:${second.port}/image.png`, '127.0.0.2'],
    [`http://0177.0.0.2:${second.port}/image.png`, '127.0.0.2'],
    [`http://user:pass@127.0.0.2:${second.port}/image.png`, '127.0.0.2'],
    [`http://[::ffff:127.0.0.2]:${second.port}/image.png`, '::ffff:7f00:2'],
    [`http://[::1]:${ipv6?.port ?? 9}/image.png`, '::1'],
    ['http://0xa9fea9fe/latest/meta-data/', '169.254.169.254'],
    ['http://[::ffff:a9fe:a9fe]/latest/meta-data/', '::ffff:a9fe:a9fe'],
    ['//10.0.0.1/image.png', '10.0.0.1'], // protocol-relative
    ['https://[fe80::1]/image.png', 'fe80::1'],
    ['https://[fc00::1]/image.png', 'fc00::1'],
  ];

  it.each([301, 302, 303, 307, 308])('status %i: each forbidden target is refused', async (status) => {
    for (const [target, address] of targets()) {
      const error = await refusal(downloadImage(`${first.url}/redirect?status=${status}&to=${encodeURIComponent(target)}`, onlyFirst));
      expect([target, error.reason, error.address]).toEqual([target, 'blocked-address', address]);
    }
  });

  it('the injected fetch transport refuses them too', async () => {
    for (const [target, address] of targets()) {
      const { fetchImpl } = recordingFetch();
      const error = await refusal(downloadImage(`${first.url}/redirect?to=${encodeURIComponent(target)}`, { ...onlyFirst, fetch: fetchImpl }));
      expect([target, error.reason, error.address]).toEqual([target, 'blocked-address', address]);
    }
  });

  it('a chain of allowed hops ending at a forbidden one is refused at the last hop', async () => {
    const last = `http://2130706434:${second.port}/image.png`;
    const middle = `${first.url}/redirect?to=${encodeURIComponent(last)}`;
    const start = `${first.url}/redirect?to=${encodeURIComponent(middle)}`;
    const before = first.hits.length;
    const error = await refusal(downloadImage(start, onlyFirst));
    expect(error).toMatchObject({ reason: 'blocked-address', address: '127.0.0.2' });
    expect(first.hits.length - before).toBe(2);
  });

  it('a redirect to another scheme is refused', async () => {
    for (const target of ['file:///etc/passwd', 'ftp://127.0.0.1/a.png', 'gopher://127.0.0.1:6379/_INFO', 'data:image/png;base64,AAAA']) {
      const error = await refusal(downloadImage(`${first.url}/redirect?to=${encodeURIComponent(target)}`, onlyFirst));
      expect([target, error.reason]).toEqual([target, 'protocol']);
    }
  });

  it('an https-only download refuses a redirect down to plain http', async () => {
    // The first hop is served through an injected fetch that fakes a public https host (no network).
    const fetchImpl: typeof fetch = async (input, init) =>
      String(input).startsWith('https://93.184.216.34/')
        ? new Response(null, { status: 302, headers: { location: `http://93.184.216.34/plain.png` } })
        : globalThis.fetch(input, init);
    const error = await refusal(downloadImage('https://93.184.216.34/start.png', { fetch: fetchImpl, timeout: 2000 }));
    expect(error.reason).toBe('protocol');
  });
});

describe('the allow-list is exact', () => {
  it('an IP allows that IP only; a CIDR allows its range only', async () => {
    expect((await refusal(downloadImage(`${second.url}/image.png`, onlyFirst))).address).toBe('127.0.0.2');
    expect(second.hits).toEqual([]);
    const bytes = await downloadImage(`${second.url}/image.png`, { allowHttp: true, allowPrivateNetwork: ['127.0.0.0/8'], timeout: 2000 });
    expect(Buffer.from(bytes).equals(PNG)).toBe(true);
    expect(second.hits).toEqual(['/image.png']);
    second.hits.length = 0;
    const narrow = await refusal(
      downloadImage(`${second.url}/image.png`, { allowHttp: true, allowPrivateNetwork: ['127.0.0.1/32', '10.0.0.0/8'], timeout: 2000 }),
    );
    expect(narrow.address).toBe('127.0.0.2');
    const metadata = await refusal(
      downloadImage('http://169.254.169.254/latest/meta-data/', {
        allowHttp: true,
        allowPrivateNetwork: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
        timeout: 2000,
      }),
    );
    expect(metadata.address).toBe('169.254.169.254');
    expect(second.hits).toEqual([]);
  });
});
