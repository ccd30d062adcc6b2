import { z } from 'zod';
import { openImageSource } from '../../lambdas/adapters/open-image-source.ts';
import { AdvisoryStore } from '../../lambdas/core/advisories/advisory-store.ts';
import { StoreLookup } from '../../lambdas/core/advisories/store-lookup.ts';
import { parseDigest } from '../../lambdas/core/digest.ts';
import { parseReference } from '../../lambdas/core/image/reference.ts';
import { withLimits } from '../../lambdas/core/limits.ts';
import { scanImage } from '../../lambdas/core/use-cases/scan-image.ts';
import { localScanDeps } from './local-scan-deps.ts';

/**
 * A scanner process for a test to kill: runs the real scan-image use case on DynamoDB Local and
 * moto's S3, reading the image from `registryHost` (a proxy that stalls a layer), so it takes the
 * claim and then hangs mid-scan. Run as `node --import tsx claim-holder-child.ts` with its
 * configuration as JSON in CUSTOMS_CLAIM_HOLDER.
 */
export const claimHolderConfigSchema = z.object({
  stores: z.object({ dynamodbEndpoint: z.url(), motoEndpoint: z.url(), tableName: z.string().min(3), bucket: z.string().min(3) }),
  registryHost: z.string().regex(/^127\.0\.0\.1:\d+$/),
  request: z.object({ account: z.string(), region: z.string(), repository: z.string(), digest: z.string(), tag: z.string() }),
  scannerVersion: z.string().min(1),
  leaseMs: z.number().int().positive(),
});
export type ClaimHolderConfig = z.infer<typeof claimHolderConfigSchema>;

const config = claimHolderConfigSchema.parse(JSON.parse(process.env.CUSTOMS_CLAIM_HOLDER ?? 'null'));
const deps = localScanDeps(config.stores, {
  sources: { open: (request) => openImageSource(parseReference(`${config.registryHost}/${request.repository}@${request.digest}`), { limits: withLimits() }) },
  // Never reached: the process is killed while reading a layer.
  advisories: new StoreLookup(new AdvisoryStore({ ecosystems: ['npm'] })),
  freshness: { freshness: async (ecosystems) => ecosystems.map((ecosystem) => ({ ecosystem })) },
  scannerVersion: config.scannerVersion,
  leaseMs: config.leaseMs,
});
const result = await scanImage({ ...config.request, digest: parseDigest(config.request.digest), pushedAt: new Date(), kind: 'push' }, deps);
process.stdout.write(`${JSON.stringify(result)}\n`);
