import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { TableSchema } from '../../lambdas/adapters/dynamodb/table-schema.ts';

export interface SchemaTableProps {
  /** Keys, indexes and TTL: the contract in lambdas/adapters/dynamodb/table-schema.ts. */
  readonly schema: TableSchema;
  readonly removalPolicy: RemovalPolicy;
  /** On unless the table may be destroyed with the stack. */
  readonly deletionProtection: boolean;
}

/**
 * A DynamoDB table as the adapters expect it: string keys and indexes from the shared schema, TTL,
 * on-demand (scans come in bursts), point-in-time recovery and encryption at rest with a KMS key.
 */
export function createSchemaTable(scope: Construct, id: string, props: SchemaTableProps): Table {
  const { schema } = props;
  const table = new Table(scope, id, {
    partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
    sortKey: { name: schema.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: schema.timeToLive,
    deletionProtection: props.deletionProtection,
    removalPolicy: props.removalPolicy,
  });
  for (const index of schema.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
}
