import { RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ADVISORY_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { createSchemaTable } from './schema-table.ts';

export interface AdvisoryTableProps {
  /** @default RemovalPolicy.RETAIN, with deletion protection */
  readonly removalPolicy?: RemovalPolicy;
}

/** OSV records by ecosystem and package, and each ecosystem's freshness; the scanner reads it per package. */
export class AdvisoryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AdvisoryTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = createSchemaTable(this, 'Table', { schema: ADVISORY_TABLE, removalPolicy, deletionProtection: removalPolicy === RemovalPolicy.RETAIN });
  }
}
