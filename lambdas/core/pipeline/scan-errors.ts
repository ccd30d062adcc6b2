import { isCustomsError, messageOf } from '../errors.ts';

/** The claim's lease passed to someone else before this scan committed: its work is dropped, retried. */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}

/** Codes that describe the image itself: rescanning the same bytes fails the same way. */
const PERMANENT = new Set(['digest-mismatch', 'limit', 'malformed', 'unsupported', 'unsafe', 'not-found', 'usage']);

/**
 * Whether a scan error is the image's fault (record FAILED with the one-line reason, acknowledge)
 * or the world's (network, auth, throttling, a bug: throw so the queue retries, then the DLQ).
 * buildSbom wraps a non-Customs error of a platform image as `malformed` with the original as the
 * cause; such a cause is not the image's fault, so it stays transient.
 */
export function permanentReason(error: unknown): string | undefined {
  if (!isCustomsError(error) || !PERMANENT.has(error.code)) return undefined;
  if (error.cause !== undefined && !isCustomsError(error.cause) && error.message === messageOf(error.cause)) return undefined;
  return error.message.split('\n')[0];
}
