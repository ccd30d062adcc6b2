import type { RepositoryKey } from '../../core/pipeline/model.ts';

/** The partition a Region belongs to (ECR Regions in China and GovCloud have their own). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:<partition>:ecr:<region>:<account>:repository/<name>`, as events name the repository. */
export function ecrRepositoryArn(key: RepositoryKey): string {
  return `arn:${partitionOf(key.region)}:ecr:${key.region}:${key.account}:repository/${key.repository}`;
}
