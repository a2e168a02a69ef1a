/**
 * Fault directives: `name` or `name=value`, comma separated, from the `x-emulator-fault` header or the
 * server-wide `faults` option. Later directives override earlier ones (the header comes after the server's).
 */

export type ImageFailure = 'sensitive' | 'internal';

export interface Faults {
  latency?: number;
  status?: number;
  /** Error code for `status` (defaults per status). */
  code?: string;
  retryAfter?: number;
  reset?: boolean;
  truncate?: boolean;
  malformedJson?: boolean;
  slowHeaders?: number;
  stallStream?: number;
  streamError?: number;
  failImages: Map<number, ImageFailure>;
}

export class FaultSyntaxError extends Error {
  override name = 'FaultSyntaxError';
}

const NUMERIC = ['latency', 'status', 'retry-after', 'slow-headers', 'stall-stream', 'stream-error'] as const;
const FLAGS = ['reset', 'truncate', 'malformed-json'] as const;

function nonNegativeNumber(name: string, value: string | undefined): number {
  const number = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number < 0) throw new FaultSyntaxError(`fault \`${name}\` needs a non-negative number, got \`${value ?? ''}\``);
  return number;
}

export function emptyFaults(): Faults {
  return { failImages: new Map() };
}

/** Parses directives onto `into` (a copy of it is returned). Throws FaultSyntaxError on an unknown directive. */
export function parseFaults(spec: string | undefined, into: Faults = emptyFaults()): Faults {
  const faults: Faults = { ...into, failImages: new Map(into.failImages) };
  if (!spec) return faults;
  for (const raw of spec.split(',')) {
    const directive = raw.trim();
    if (!directive) continue;
    const eq = directive.indexOf('=');
    const name = (eq === -1 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : directive.slice(eq + 1).trim();
    if ((FLAGS as readonly string[]).includes(name)) {
      if (name === 'reset') faults.reset = true;
      if (name === 'truncate') faults.truncate = true;
      if (name === 'malformed-json') faults.malformedJson = true;
    } else if ((NUMERIC as readonly string[]).includes(name)) {
      const number = nonNegativeNumber(name, value);
      if (name === 'latency') faults.latency = number;
      if (name === 'retry-after') faults.retryAfter = number;
      if (name === 'slow-headers') faults.slowHeaders = number;
      if (name === 'stall-stream') faults.stallStream = Math.floor(number);
      if (name === 'stream-error') faults.streamError = Math.floor(number);
      if (name === 'status') {
        if (!Number.isInteger(number) || number < 100 || number > 599) throw new FaultSyntaxError(`fault \`status\` needs an HTTP status, got \`${value}\``);
        faults.status = number;
      }
    } else if (name === 'code') {
      if (!value) throw new FaultSyntaxError('fault `code` needs an error code');
      faults.code = value;
    } else if (name === 'fail-image') {
      const [index, kind = 'sensitive'] = (value ?? '').split(':');
      const k = nonNegativeNumber(name, index);
      if (kind !== 'sensitive' && kind !== 'internal') throw new FaultSyntaxError(`fault \`fail-image\` kind must be sensitive or internal, got \`${kind}\``);
      faults.failImages.set(Math.floor(k), kind);
    } else {
      throw new FaultSyntaxError(`unknown fault directive \`${name}\``);
    }
  }
  return faults;
}
