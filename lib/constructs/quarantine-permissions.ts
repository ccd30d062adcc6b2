import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import { repositoryArns } from './ecr-read-resources.ts';

/** What quarantine and release change: the marker and restored tags, tag removal, the archive storage class. */
export const QUARANTINE_WRITE_ACTIONS = ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'] as const;
/** The repository settings quarantine reads first: tag mutability and exclusions, lifecycle rules. */
export const QUARANTINE_REPOSITORY_READS = ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy'] as const;
/** Registry-wide settings (pull-through-cache rules, replication); IAM gives these no resource type. */
export const QUARANTINE_REGISTRY_READS = ['ecr:DescribePullThroughCacheRules', 'ecr:DescribeRegistry'] as const;

/**
 * Lets `role` quarantine and release images in `scope` (see quarantineScope): writes and the
 * repository reads on those repositories' ARNs only, the two registry reads on `*`.
 */
export function grantQuarantine(scope: Construct, role: IRole, repositories: RepositorySelection): void {
  const arns = repositoryArns(scope, repositories);
  role.addToPrincipalPolicy(new PolicyStatement({ sid: 'QuarantineImages', actions: [...QUARANTINE_WRITE_ACTIONS], resources: arns }));
  role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadQuarantineRepositorySettings', actions: [...QUARANTINE_REPOSITORY_READS], resources: arns }));
  role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadQuarantineRegistrySettings', actions: [...QUARANTINE_REGISTRY_READS], resources: ['*'] }));
}
