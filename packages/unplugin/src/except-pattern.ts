import { escapeClass, escapeRegExp } from './escape-regexp.js';

/**
 * A pattern for every string except `words` and those starting with one of `excludedFirst`, written without
 * lookahead (esbuild's filters are Go regular expressions; Rolldown's are Rust's): the complement is spelled
 * out over the words' trie. Unanchored at the end: a string that leaves the trie may continue with anything.
 */
export function exceptPattern(words: Iterable<string>, excludedFirst = ''): string {
  interface Node {
    end: boolean;
    next: Map<string, Node>;
  }
  const root: Node = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const char of word) {
      let child = node.next.get(char);
      if (!child) node.next.set(char, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const pattern = (node: Node, excluded: string): string => {
    const branches = [...node.next].map(([char, child]) => escapeRegExp(char) + pattern(child, ''));
    const leaving = [...node.next.keys(), ...excluded];
    branches.push(leaving.length > 0 ? `[^${escapeClass(leaving.join(''))}]` : '[\\s\\S]');
    if (!node.end) branches.push('$');
    return `(?:${branches.join('|')})`;
  };
  return pattern(root, excludedFirst);
}
