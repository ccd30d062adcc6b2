import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { PolicyDocument } from '../../lambdas/core/policy/policy-document.ts';
import { InvalidConfigError } from '../config/customs-config.ts';

/** SSM's value limits: 4 KB for a Standard parameter (free), 8 KB for an Advanced one (paid monthly). */
export const STANDARD_PARAMETER_BYTES = 4096;
export const ADVANCED_PARAMETER_BYTES = 8192;

export interface PolicyParameterProps {
  /** Validated (lib/config/customs-config.ts): what is stored is what synth checked. */
  readonly document: PolicyDocument;
}

/**
 * The policy document as JSON in an SSM parameter, where the pipeline reads it (and where a later
 * change at run time will write it). Standard tier while it fits, Advanced up to 8 KB; past that,
 * inline VEX documents belong in S3.
 */
export class PolicyParameter extends Construct {
  readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: PolicyParameterProps) {
    super(scope, id);
    const value = JSON.stringify(props.document);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > ADVANCED_PARAMETER_BYTES) {
      throw new InvalidConfigError(
        `customs.policies: the policy document is ${String(bytes)} bytes as JSON, more than an SSM parameter holds (${String(ADVANCED_PARAMETER_BYTES)}); move inline VEX documents to S3 ({ "s3": { "bucket", "key" } }) and shorten the rest`,
      );
    }
    this.parameter = new StringParameter(this, 'Parameter', {
      description: 'Customs: the policy document (customs.policies), JSON',
      stringValue: value,
      tier: bytes > STANDARD_PARAMETER_BYTES ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });
  }

  /** GetParameter on this parameter only (no history, no listing). */
  grantRead(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadPolicyDocument', actions: ['ssm:GetParameter'], resources: [this.parameter.parameterArn] }));
  }
}
