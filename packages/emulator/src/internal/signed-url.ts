/**
 * Result URLs shaped like the provider's signed TOS links (docs/api-contract.md §4.4): `/<model>/<hex>_<i>.<ext>` with an
 * `X-Tos-*` query whose signature is an HMAC over the path and the exact raw query text. Any change to that
 * text (re-escaping `%2F`, reordering, truncating at `&`) breaks the signature, as on the real storage host.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALGORITHM = 'TOS4-HMAC-SHA256';
const REGION = 'cn-beijing';

function stamp(date: Date): { day: string; time: string } {
  const iso = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return { day: iso.slice(0, 8), time: iso };
}

export class UrlSigner {
  private readonly secret = randomBytes(32);
  private readonly accessKey = `AKLT${randomBytes(16).toString('hex')}`;

  private signature(path: string, unsignedQuery: string): string {
    return createHmac('sha256', this.secret).update(`${path}?${unsignedQuery}`).digest('hex');
  }

  /** A fresh object path for image `index` of a generation. */
  newPath(urlName: string, index: number, ext: 'png' | 'jpeg'): string {
    return `/${urlName}/${randomBytes(16).toString('hex')}${randomBytes(8).toString('hex')}_${index}.${ext}`;
  }

  /** The raw query for `path`, valid `lifetimeSeconds` from `now`. */
  sign(path: string, lifetimeSeconds: number, now = new Date()): string {
    const { day, time } = stamp(now);
    const unsigned =
      `X-Tos-Algorithm=${ALGORITHM}` +
      `&X-Tos-Credential=${this.accessKey}%2F${day}%2F${REGION}%2Ftos%2Frequest` +
      `&X-Tos-Date=${time}` +
      `&X-Tos-Expires=${lifetimeSeconds}`;
    return `${unsigned}&X-Tos-Signature=${this.signature(path, `${unsigned}&X-Tos-SignedHeaders=host`)}&X-Tos-SignedHeaders=host`;
  }

  /** Checks the raw query text; returns the signed expiry (epoch ms) or undefined when it was tampered with. */
  verify(path: string, rawQuery: string): { expiresAt: number } | undefined {
    const match = /^(.*)&X-Tos-Signature=([0-9a-f]{64})(&X-Tos-SignedHeaders=host)$/.exec(rawQuery);
    if (!match) return undefined;
    const [, before, given, after] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.signature(path, `${before}${after}`), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return undefined;
    const date = /(?:^|&)X-Tos-Date=(\d{8})T(\d{6})Z(?:&|$)/.exec(before);
    const expires = /(?:^|&)X-Tos-Expires=(\d+)(?:&|$)/.exec(before);
    if (!date || !expires) return undefined;
    const [d, t] = [date[1] as string, date[2] as string];
    const signedAt = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6));
    return { expiresAt: signedAt + Number(expires[1]) * 1000 };
  }
}
