import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { TableSchema } from '../../lambdas/adapters/dynamodb/table-schema.ts';

export interface SchemaTableProps {
  /** @default RemovalPolicy.RETAIN, with deletion protection on */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A DynamoDB table as the adapters expect it: string keys and indexes from the shared schema
 * (lambdas/adapters/dynamodb/table-schema.ts), TTL, on demand (scans come in bursts), point-in-time
 * recovery and encryption at rest with a KMS key.
 */
export class SchemaTable extends Construct {
  readonly table: Table;

  protected constructor(scope: Construct, id: string, schema: TableSchema, props: SchemaTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: schema.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: schema.timeToLive,
      // A table the stack would retain must not be deletable by accident either.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const index of schema.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
