import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The Customs pipeline on AWS. It holds no resources yet: the scanning core it will run comes first,
 * behind the ports in lambdas/core/ports.ts, and the constructs that wire ECR push events, the
 * scanner and the findings store around it are added with the pipeline issue.
 */
export class CustomsStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
  }
}
