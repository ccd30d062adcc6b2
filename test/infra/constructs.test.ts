import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ecrEventPattern, repositoryNameFilter } from '../../lib/constructs/ecr-event-patterns.ts';
import { EcrEventsToQueue } from '../../lib/constructs/ecr-events-to-queue.ts';
import { FindingsTable } from '../../lib/constructs/findings-table.ts';
import { SbomBucket } from '../../lib/constructs/sbom-bucket.ts';

describe('constructs on their own', () => {
  it('ecr-events-to-queue refuses fewer than 5 receives before the DLQ', () => {
    const stack = new Stack();
    expect(() => new EcrEventsToQueue(stack, 'Events', { repositories: 'all', visibilityTimeout: Duration.minutes(30), maxReceiveCount: 3 })).toThrow(
      'maxReceiveCount must be at least 5 (got 3)',
    );
  });

  it('repository filters: none for every repository, names and prefixes otherwise', () => {
    expect(repositoryNameFilter('all')).toBeUndefined();
    expect(repositoryNameFilter({ names: ['web'], prefixes: ['team-a/'] })).toEqual(['web', { prefix: 'team-a/' }]);
    expect(ecrEventPattern('pull-through-cache', { names: ['docker-hub/alpine'], prefixes: [] })).toEqual({
      source: ['aws.ecr'],
      detailType: ['ECR Pull Through Cache Action'],
      detail: { 'sync-status': ['SUCCESS'], 'repository-name': ['docker-hub/alpine'] },
    });
  });

  it('findings-table and sbom-bucket default to retained, protected resources', () => {
    const stack = new Stack();
    new FindingsTable(stack, 'Findings');
    new SbomBucket(stack, 'Sboms');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });
});
