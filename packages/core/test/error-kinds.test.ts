/** The one error vocabulary: every kind is complete, and its code and status read back as itself. */
import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import {
  CLIENT_ERROR_KINDS,
  clientErrorKindForCode,
  clientErrorKindForStatus,
  isClientErrorKind,
  type ClientErrorKindInfo,
  type SeedreamClientErrorKind,
} from '../src/transport.js';

const table = Object.entries(CLIENT_ERROR_KINDS) as Array<[SeedreamClientErrorKind, ClientErrorKindInfo]>;
const kinds = table.map(([kind]) => kind);

describe('CLIENT_ERROR_KINDS', () => {
  it('is exported the same from @seedream-kit/core and @seedream-kit/core/transport', () => {
    expect(main.CLIENT_ERROR_KINDS).toBe(CLIENT_ERROR_KINDS);
    expect(main.clientErrorKindForCode).toBe(clientErrorKindForCode);
    expect(main.clientErrorKindForStatus).toBe(clientErrorKindForStatus);
    expect(main.isClientErrorKind).toBe(isClientErrorKind);
  });

  it.each(table)('%s has a status, a code, both flags and a message', (kind, info) => {
    expect(Number.isInteger(info.status) && info.status >= 400 && info.status <= 599, 'an error status a Response accepts').toBe(true);
    expect(info.code).toMatch(/^[A-Z][A-Z_]*[A-Z]$/);
    expect(typeof info.retryable).toBe('boolean');
    expect(typeof info.billed).toBe('boolean');
    expect(info.message).toMatch(/^[A-Z].*\.$/);
    expect(info.message.length).toBeLessThanOrEqual(80);
    expect(isClientErrorKind(kind)).toBe(true);
  });

  it('codes, extra codes and extra statuses each belong to one kind', () => {
    const codes = table.flatMap(([, info]) => [info.code, ...(info.extraCodes ?? [])]);
    expect(new Set(codes).size).toBe(codes.length);
    const primary = new Set(table.map(([, info]) => info.status));
    const extra = table.flatMap(([, info]) => info.extraStatuses ?? []);
    expect(new Set(extra).size).toBe(extra.length);
    for (const status of extra) expect(primary.has(status), `${status} is also a main status`).toBe(false);
  });

  it.each(table)('%s: its code and extra codes read back as itself', (kind, info) => {
    expect(clientErrorKindForCode(info.code)).toBe(kind);
    for (const code of info.extraCodes ?? []) expect(clientErrorKindForCode(code)).toBe(kind);
  });

  it.each(table)('%s: its status reads back as itself, or as the first kind that shares it', (kind, info) => {
    const owner = table.find(([, other]) => other.status === info.status)![0];
    expect(clientErrorKindForStatus(info.status)).toBe(owner);
    expect(CLIENT_ERROR_KINDS[clientErrorKindForStatus(info.status)].status).toBe(info.status);
    for (const status of info.extraStatuses ?? []) expect(clientErrorKindForStatus(status)).toBe(kind);
  });

  it('an unreadable 400 is bad_request; unknown statuses fall back by class; unknown codes are unknown', () => {
    expect(clientErrorKindForStatus(400)).toBe('bad_request');
    expect(clientErrorKindForStatus(418)).toBe('bad_request');
    expect(clientErrorKindForStatus(500)).toBe('upstream');
    expect(clientErrorKindForStatus(599)).toBe('upstream');
    expect(clientErrorKindForStatus(undefined)).toBe('upstream');
    expect(clientErrorKindForCode('NO_SUCH_CODE')).toBeUndefined();
    expect(clientErrorKindForCode(undefined)).toBeUndefined();
    expect(isClientErrorKind('toString')).toBe(false);
    expect(isClientErrorKind(undefined)).toBe(false);
  });

  it('only refusals that waiting fixes are both retryable and unbilled (safe to repeat without asking)', () => {
    // a rate limit, and a shared job store that is briefly unreachable (nothing was sent upstream)
    const safe = kinds.filter((kind) => CLIENT_ERROR_KINDS[kind].retryable && !CLIENT_ERROR_KINDS[kind].billed);
    expect(safe).toEqual(['rate_limit', 'unavailable']);
  });

  it('an interrupted job may have been billed and is never retried by itself', () => {
    expect(CLIENT_ERROR_KINDS.interrupted).toMatchObject({ billed: true, retryable: false });
    // 503 reads back as `network` (listed first); the route always sends the kind itself
    expect(clientErrorKindForStatus(503)).toBe('network');
  });

  it('covers the GraphQL server’s own limits: by code, or by the 413 the body limit answers with', () => {
    for (const code of ['OPERATION_LIMIT_EXCEEDED', 'QUERY_TOO_COMPLEX']) expect(clientErrorKindForCode(code)).toBe('limit_exceeded');
    expect(clientErrorKindForCode('REQUEST_ENTITY_TOO_LARGE') ?? clientErrorKindForStatus(413)).toBe('limit_exceeded');
  });
});
