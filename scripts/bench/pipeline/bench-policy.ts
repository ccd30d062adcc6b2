import type { PolicyDocumentInput } from '../../../lambdas/core/policy/policy-document.ts';

/**
 * The policy the bench deploys in moto's parameter: fail on HIGH, so the reference image (which has
 * HIGH findings) fails its first scan and the bench prices the alert path (a FAILED_POLICY alert to
 * SNS, its verdict and finding events to EventBridge, the verdict item with its outbox), and its
 * repeated push prices a verdict that is already announced. The stack's default (CRITICAL) would
 * pass it silently.
 */
export const BENCH_POLICY: PolicyDocumentInput = { default: { failOn: 'HIGH' } };
