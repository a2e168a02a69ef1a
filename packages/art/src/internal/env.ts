/** `CI=true`, `CI=1`, `CI=yes`…: set and not one of the usual spellings of "no". */
export function isTruthyEnv(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !['', '0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}
