import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APITimeoutError, APIUserAbortError, DownloadError, isDownloadError } from '../src/index.js';
import { downloadImage, isPrivateAddress } from '../src/node.js';
import { caught, imageBytes, rawServer, type RawServer } from './helpers.js';

let server: RawServer;
let png: Uint8Array;
let directory: string;
const seenPaths: string[] = [];

beforeAll(async () => {
  png = await imageBytes('png', 20, 20);
  directory = await mkdtemp(join(tmpdir(), 'seedream-download-'));
  server = await rawServer((request, response) => {
    seenPaths.push(request.url ?? '/');
    const url = (request.url ?? '/').split('?')[0]!;
    const port = server.port;
    if (url.startsWith('/image')) {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
      response.end(png);
    } else if (url.startsWith('/redirect-chain/')) {
      const n = Number(url.split('/')[2]);
      response.writeHead(302, { location: n > 0 ? `/redirect-chain/${n - 1}` : '/image.png' });
      response.end();
    } else if (url === '/to-loopback-literal') {
      response.writeHead(302, { location: `http://127.0.0.2:${port}/image.png` });
      response.end();
    } else if (url === '/to-localhost') {
      response.writeHead(307, { location: `http://localhost:${port}/image.png` });
      response.end();
    } else if (url === '/to-metadata') {
      response.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    } else if (url === '/denied') {
      response.writeHead(403, { 'content-type': 'application/json', server: 'TosServer' });
      response.end(JSON.stringify({ Code: 'AccessDenied', Message: 'Access Denied', EC: '0003-00000015' }));
    } else if (url === '/huge') {
      response.writeHead(200, { 'content-type': 'image/png' }); // no length: counted while reading
      response.write(Buffer.alloc(64 * 1024));
      response.end(Buffer.alloc(64 * 1024));
    } else if (url === '/slow') {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(Buffer.alloc(10)); // and never ends
    } else {
      response.writeHead(404);
      response.end();
    }
  });
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

const local = { allowHttp: true, allowPrivateNetwork: true } as const;

describe('downloadImage: the positive path (local server allowed explicitly)', () => {
  it('returns the bytes', async () => {
    const bytes = await downloadImage(`${server.url}/image.png`, local);
    expect(Buffer.from(bytes).equals(Buffer.from(png))).toBe(true);
  });

  it('sends the URL byte-exact (no re-escaping of %2F, order, or odd characters)', async () => {
    const path = '/image.png?X-Tos-Credential=AKLT%2F20250910%2Fcn&X-Tos-Signature=ab%2fcd&b=%252F&c=1;2';
    await downloadImage(`${server.url}${path}#fragment`, local);
    expect(seenPaths.at(-1)).toBe(path);
  });

  it('writes a file atomically, creating folders', async () => {
    const target = join(directory, 'nested', 'out.png');
    const file = await downloadImage(`${server.url}/image.png`, { ...local, to: target });
    expect(file).toMatchObject({ path: target, size: png.length, contentType: 'image/png', url: `${server.url}/image.png` });
    expect(Buffer.from(await readFile(target)).equals(Buffer.from(png))).toBe(true);
    expect(await readdir(join(directory, 'nested'))).toEqual(['out.png']); // no temporary file left
  });

  it('follows up to 5 redirects, re-checking each', async () => {
    expect((await downloadImage(`${server.url}/redirect-chain/4`, local)).length).toBe(png.length);
    const error = await caught<DownloadError>(downloadImage(`${server.url}/redirect-chain/5`, local));
    expect(error).toMatchObject({ reason: 'too-many-redirects' });
  });

  it('works through an injected fetch as well', async () => {
    const bytes = await downloadImage(`${server.url}/image.png`, { ...local, fetch: globalThis.fetch });
    expect(bytes.length).toBe(png.length);
  });
});

describe('downloadImage: refusals', () => {
  it('refuses plain http and other schemes unless allowed', async () => {
    for (const url of [`${server.url}/image.png`, 'file:///etc/passwd', 'ftp://x.test/a.png', 'data:image/png;base64,AAAA']) {
      const error = await caught<DownloadError>(downloadImage(url, { allowPrivateNetwork: true }));
      expect(isDownloadError(error)).toBe(true);
      expect(error.reason).toBe('protocol');
    }
    expect((await caught<DownloadError>(downloadImage('not a url'))).reason).toBe('invalid-url');
  });

  it.each([
    ['http://127.0.0.1:9/a.png', '127.0.0.1'],
    ['https://10.1.2.3/a.png', '10.1.2.3'],
    ['https://172.16.0.1/a.png', '172.16.0.1'],
    ['https://192.168.1.1/a.png', '192.168.1.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['https://[::1]/a.png', '::1'],
    ['https://[fd00::1]/a.png', 'fd00::1'],
    ['https://[::ffff:127.0.0.1]/a.png', '::ffff:7f00:1'],
    ['https://0.0.0.0/a.png', '0.0.0.0'],
    ['https://100.100.100.200/a.png', '100.100.100.200'],
  ])('refuses %s before connecting', async (url, address) => {
    const error = await caught<DownloadError>(downloadImage(url, { allowHttp: true, timeout: 2000 }));
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'blocked-address', address });
  });

  it('refuses a hostname that resolves to loopback (localhost), checked at connect time', async () => {
    const error = await caught<DownloadError>(downloadImage(`http://localhost:${server.port}/image.png`, { allowHttp: true }));
    expect(error).toMatchObject({ reason: 'blocked-address' });
    expect(['127.0.0.1', '::1']).toContain(error.address);
    // The injected-fetch transport checks the resolved addresses before each request.
    const viaFetch = await caught<DownloadError>(downloadImage(`http://localhost:${server.port}/image.png`, { allowHttp: true, fetch: globalThis.fetch }));
    expect(viaFetch).toMatchObject({ reason: 'blocked-address' });
  });

  it('re-checks redirects: an allow-listed first hop cannot redirect to another private address', async () => {
    const allowOne = { allowHttp: true, allowPrivateNetwork: ['127.0.0.1'] };
    expect((await downloadImage(`${server.url}/image.png`, allowOne)).length).toBe(png.length);
    const literal = await caught<DownloadError>(downloadImage(`${server.url}/to-loopback-literal`, allowOne));
    expect(literal).toMatchObject({ reason: 'blocked-address', address: '127.0.0.2' });
    // A public first hop (served by an injected fetch, no network) redirecting to a name that resolves to loopback.
    const fakePublic: typeof fetch = async (input) =>
      String(input).startsWith('https://93.184.216.34/')
        ? new Response(null, { status: 302, headers: { location: `http://localhost:${server.port}/image.png` } })
        : globalThis.fetch(input);
    const before = server.requests;
    const named = await caught<DownloadError>(downloadImage('https://93.184.216.34/start', { allowHttp: true, fetch: fakePublic }));
    expect(named).toMatchObject({ reason: 'blocked-address', address: '127.0.0.1' });
    expect(server.requests).toBe(before); // the loopback hop was never requested
    const metadata = await caught<DownloadError>(downloadImage(`${server.url}/to-metadata`, allowOne));
    expect(metadata).toMatchObject({ reason: 'blocked-address', address: '169.254.169.254' });
  });

  it('reports the storage host refusing a URL (HTTP 403 AccessDenied)', async () => {
    const error = await caught<DownloadError>(downloadImage(`${server.url}/denied?X-Tos-Signature=secret`, local));
    expect(error).toMatchObject({ reason: 'http-status', status: 403 });
    expect(error.message).toMatch(/403 \(AccessDenied\)/);
    expect(error.message).not.toMatch(/secret/); // a signed query is a credential
  });

  it('enforces the size cap by Content-Length and while reading, and leaves no partial file', async () => {
    expect(await caught(downloadImage(`${server.url}/image.png`, { ...local, maxBytes: 10 }))).toMatchObject({ reason: 'too-large' });
    const target = join(directory, 'huge.png');
    expect(await caught(downloadImage(`${server.url}/huge`, { ...local, maxBytes: 100_000, to: target }))).toMatchObject({ reason: 'too-large' });
    expect((await readdir(directory)).filter((name) => name.includes('huge'))).toEqual([]);
  });

  it('times out and aborts', async () => {
    expect(await caught(downloadImage(`${server.url}/slow`, { ...local, timeout: 200 }))).toBeInstanceOf(APITimeoutError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await caught(downloadImage(`${server.url}/slow`, { ...local, signal: controller.signal }))).toBeInstanceOf(APIUserAbortError);
  });
});

describe('isPrivateAddress', () => {
  it('classifies private, loopback, link-local, reserved and embedded IPv4 forms', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      'ff02::1',
      '::ffff:10.0.0.1',
      '::ffff:a00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      '::ffff:0:7f00:1',
      '::ffff:0:10.0.0.1',
      '64:ff9b:1::a00:1',
      '[::1]',
      'fe80::1%eth0',
      'not-an-ip',
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
  });
});
