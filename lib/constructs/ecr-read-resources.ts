import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';

/** The ECR repository ARNs a selection covers: one per name, a pattern per prefix, or every repository. */
export function repositoryArns(scope: Construct, repositories: RepositorySelection): string[] {
  const stack = Stack.of(scope);
  const arn = (resourceName: string): string => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName });
  if (repositories === 'all') return [arn('*')];
  return [...repositories.names.map(arn), ...repositories.prefixes.map((prefix) => arn(`${prefix}*`))];
}
