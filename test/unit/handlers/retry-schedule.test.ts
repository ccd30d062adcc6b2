import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from '../../../lambdas/handlers/scan-image/retry-schedule.ts';

describe('retryDelaySeconds', () => {
  it('doubles from 30 s with each receive and stops at 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((count) => retryDelaySeconds(count))).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('takes its base and cap from options, and treats a zero count as the first delivery', () => {
    expect(retryDelaySeconds(0, { baseSeconds: 5, maxSeconds: 12 })).toBe(5);
    expect(retryDelaySeconds(3, { baseSeconds: 5, maxSeconds: 12 })).toBe(12);
  });
});
