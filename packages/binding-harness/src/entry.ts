/**
 * Every UI binding hands on `@seedream-kit/core/binding` (the store, the HTTP transport, the browser-side
 * contract) with `export *`: this checks that each name arrives as the very same value, so an app can switch
 * bindings, or mix one with core, without two copies of an error class (`instanceof` would then fail).
 */
import * as shared from '@seedream-kit/core/binding';
import { describe, expect, it } from 'vitest';

export function describeBindingEntry(name: string, load: () => Promise<Record<string, unknown>>): void {
  describe(`${name}: what every binding hands on`, () => {
    it('re-exports each value of @seedream-kit/core/binding itself, not a copy', async () => {
      const entry = await load();
      const names = Object.keys(shared);
      expect(names).toEqual(expect.arrayContaining(['createSeedreamStore', 'sessionJobMemory', 'createHttpTransport', 'SeedreamClientError']));
      for (const key of names) expect.soft(entry[key], key).toBe((shared as Record<string, unknown>)[key]);
    });
  });
}
