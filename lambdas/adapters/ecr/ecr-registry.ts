import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';

/**
 * One ECR registry: an account's registry in one Region. Events from several accounts and Regions
 * name their own, and each is logged in to and read through separately.
 */
export interface EcrRegistry {
  readonly account: string;
  readonly region: string;
}

const ACCOUNT = /^\d{12}$/;
// Partition prefixes (us-gov-west-1, cn-north-1, eu-isoe-west-1) are letters; the number ends it.
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export const ecrRegistrySchema = z.object({
  account: z.string().regex(ACCOUNT, 'not an AWS account ID'),
  region: z.string().regex(REGION, 'not an AWS Region'),
});

/** The registry as given, or a usage error: its parts become a host name and an SDK client's Region. */
export function checkedEcrRegistry(registry: EcrRegistry): EcrRegistry {
  const parsed = ecrRegistrySchema.safeParse(registry);
  if (!parsed.success) {
    throw new CustomsError('usage', `not an ECR registry (account ${JSON.stringify(registry.account)}, Region ${JSON.stringify(registry.region)})`);
  }
  return parsed.data;
}

export function checkedRegion(region: string): string {
  if (typeof region !== 'string' || !REGION.test(region)) throw new CustomsError('usage', `not an AWS Region: ${JSON.stringify(region)}`);
  return region;
}

/** A stable map key for a registry. */
export function ecrRegistryKey(registry: EcrRegistry): string {
  return `${registry.account}/${registry.region}`;
}

/**
 * The origin ECR gives as the registry's proxyEndpoint: `https://<account>.dkr.ecr.<region>.amazonaws.com`,
 * under `amazonaws.com.cn` in the China Regions.
 */
export function ecrRegistryOrigin(registry: EcrRegistry): string {
  const domain = registry.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${registry.account}.dkr.ecr.${registry.region}.${domain}`;
}
