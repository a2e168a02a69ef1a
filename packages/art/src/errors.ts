/** Errors of the plugin itself (bad options or specifiers, strict-mode misses, unreadable lock file). */
export class SeedreamPluginError extends Error {
  override readonly name = 'SeedreamPluginError';
}
