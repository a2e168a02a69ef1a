/** `text` as a literal in a regular expression (JavaScript, Unicode mode included, and Go for esbuild's filters). */
export const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** `text` as literal characters inside a character class (`[…]`). */
export const escapeClass = (text: string): string => text.replace(/[\\^\]-]/g, '\\$&');
