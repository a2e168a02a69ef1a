/** Replaces every occurrence of `secret` in `text` (the API key must never reach a log or an error). */
export function redact(text: string, secret: string | undefined | null): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('***');
}

/** The error itself when it does not mention `secret`, else a copy whose message and stack do not. */
export function redactError(error: unknown, secret: string | undefined | null): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  if (!secret || !`${source.message}\n${source.stack ?? ''}`.includes(secret)) return source;
  const clean = new Error(redact(source.message, secret));
  clean.name = source.name;
  clean.stack = source.stack === undefined ? undefined : redact(source.stack, secret);
  return clean;
}
