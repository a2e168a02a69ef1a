/** Job ids (server entry): unguessable, well-formed and distinct, across refills of the random pool they draw from. */
import { describe, expect, it } from 'vitest';
import { isJobId, newJobId } from '../src/server.js';

describe('newJobId', () => {
  it('makes well-formed, distinct ids whose characters cover the whole alphabet', () => {
    const ids = Array.from({ length: 1000 }, () => newJobId()); // eight times the ids one draw of random bytes serves
    expect(ids.every(isJobId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // 32,000 random characters: each of the 64 appears about 500 times; a stuck or biased source would not.
    const counts = new Map<string, number>();
    for (const id of ids) for (const char of id.slice(4)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(64);
    expect(Math.min(...counts.values())).toBeGreaterThan(350);
  });
});
