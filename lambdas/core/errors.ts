/**
 * Errors the scanning core raises on purpose. Each carries a stable code so callers (CLI exit codes,
 * Lambda batch failures) can map them without parsing messages, and a message meant for a human:
 * one line, naming the thing that was wrong (a digest, a path, a media type).
 */
export type CustomsErrorCode =
  | 'usage' // the caller asked for something malformed (bad reference, bad flag)
  | 'not-found' // the image, tag or blob does not exist
  | 'auth' // credentials missing or refused
  | 'unsupported' // a well-formed input Customs does not handle (schema 1, unknown media type)
  | 'digest-mismatch' // content does not hash to the digest that names it
  | 'limit' // an input exceeded a configured cap
  | 'malformed' // an input that does not parse (JSON, tar, gzip, manifest shape)
  | 'unsafe' // an input that tries to escape its sandbox (path traversal)
  | 'network'; // transport failure talking to a registry

export class CustomsError extends Error {
  override readonly name = 'CustomsError';
  constructor(
    readonly code: CustomsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCustomsError(error: unknown): error is CustomsError {
  return error instanceof CustomsError;
}

/** Message of any thrown value, for wrapping lower-level failures with context. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
