/**
 * A key-shaped secret for the leak checks (it must appear in no output, log or error), assembled at run time so no
 * committed file holds a string that looks like a real key.
 */
export const FAKE_KEY = `${['sk', 'test', 'SEEDREAM', 'FAKE', 'KEY'].join('-')}-${'a1b2c3d4e5'.repeat(3)}`;
