/**
 * The unhandled rejections raised while a test file runs (from its beforeAll hooks to its afterAll hooks): every
 * call of the fault matrix must settle as a result or a typed error, never leave a rejection nobody handles.
 */
import { afterAll, beforeAll } from 'vitest';

export function collectUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const collect = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', collect);
  });
  afterAll(() => {
    process.off('unhandledRejection', collect);
  });
  return unhandled;
}
