import { RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { FINDINGS_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { createSchemaTable } from './schema-table.ts';

export interface FindingsTableProps {
  /** @default RemovalPolicy.RETAIN, with deletion protection */
  readonly removalPolicy?: RemovalPolicy;
}

/** Images, tags, scans, SBOM references and raw findings, with their package and vulnerability indexes. */
export class FindingsTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: FindingsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = createSchemaTable(this, 'Table', { schema: FINDINGS_TABLE, removalPolicy, deletionProtection: removalPolicy === RemovalPolicy.RETAIN });
  }
}
