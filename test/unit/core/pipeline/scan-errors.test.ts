import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { permanentReason } from '../../../../lambdas/core/pipeline/scan-errors.ts';

/** FAILED (acknowledged) for the image's own faults; thrown (retried) for the world's. */
describe('permanentReason', () => {
  it.each(['digest-mismatch', 'limit', 'malformed', 'unsupported', 'unsafe', 'not-found'] as const)('records %s as the image’s fault', (code) => {
    expect(permanentReason(new CustomsError(code, 'layer sha256:… does not match'))).toBe('layer sha256:… does not match');
  });

  it.each(['network', 'auth'] as const)('retries %s', (code) => {
    expect(permanentReason(new CustomsError(code, 'connection reset'))).toBeUndefined();
  });

  it('retries SDK errors such as throttling', () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    expect(permanentReason(throttled)).toBeUndefined();
  });

  it('retries a transport error that buildSbom wrapped as malformed', () => {
    const cause = new TypeError('fetch failed');
    expect(permanentReason(new CustomsError('malformed', cause.message, { cause }))).toBeUndefined();
  });

  it('keeps the reason to one line', () => {
    expect(permanentReason(new CustomsError('malformed', 'first line\nsecond'))).toBe('first line');
  });
});
