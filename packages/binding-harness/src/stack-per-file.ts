/**
 * One stack for a binding's own tests (those beyond the shared suites): started before the file's tests, closed
 * after them. After each test its cleanups run first (unmounting what it mounted, so nothing calls back into the
 * next test), then the stack forgets the test: queued faults, the emulator's log and the jobs saved in the session.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startStack, type Stack } from './stack.js';

export interface StackPerFile {
  /** The running stack (from the file's first test on). */
  readonly stack: Stack;
  /** What the current test leaves to undo (an unmount, a scope to stop): run after it, in order. */
  cleanups: Array<() => void>;
}

export function stackPerFile(): StackPerFile {
  let stack: Stack | undefined;
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    stack!.faults.length = 0;
    stack!.emulator.log.clear();
    sessionStorage.clear();
  });

  return {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll: read it inside a test');
      return stack;
    },
    cleanups,
  };
}
