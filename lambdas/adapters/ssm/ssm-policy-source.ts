import type { S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { CustomsError } from '../../core/errors.ts';
import { readS3Text } from '../s3/s3-text-object.ts';
import { compilePolicyCatalogue } from '../../core/policy/policy-catalogue.ts';
import { parsePolicyDocument, vexObjectsOf } from '../../core/policy/policy-document.ts';
import { MAX_VEX_DOCUMENT_BYTES } from '../../core/policy/policy-limits.ts';
import type { PolicyCatalogue } from '../../core/policy/repository-policy.ts';
import type { Clock, PolicySource } from '../../core/ports.ts';

export interface SsmPolicySourceOptions {
  readonly ssm: SSMClient;
  /** Reads the S3 VEX documents the policy names. */
  readonly s3: S3Client;
  readonly parameterName: string;
  readonly clock: Clock;
  /** How long a compiled policy is used before the parameter is read again. Default one minute. */
  readonly refreshMs?: number;
}

/**
 * The policy document deployed as an SSM parameter (JSON, validated at synth and again here), with
 * its S3 VEX documents, compiled once and re-read every `refreshMs` so a change reaches warm Lambdas
 * within a minute. The parameter's version is compared first, so an unchanged policy costs one
 * GetParameter. When a re-read fails and a policy was compiled before, that one is kept (a policy
 * never silently becomes the empty default); without one the error is thrown, to be retried.
 */
export class SsmPolicySource implements PolicySource {
  private cached: { catalogue: PolicyCatalogue; parameterVersion: number | undefined; readAt: number } | undefined;
  private inFlight: Promise<PolicyCatalogue> | undefined;

  constructor(private readonly options: SsmPolicySourceOptions) {}

  async current(): Promise<PolicyCatalogue> {
    const now = this.options.clock.now().getTime();
    if (this.cached && now - this.cached.readAt < (this.options.refreshMs ?? 60_000)) return this.cached.catalogue;
    this.inFlight ??= this.refresh(now).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async refresh(now: number): Promise<PolicyCatalogue> {
    try {
      const parameter = await this.options.ssm.send(new GetParameterCommand({ Name: this.options.parameterName }));
      const version = parameter.Parameter?.Version;
      if (this.cached && version !== undefined && version === this.cached.parameterVersion) {
        this.cached = { ...this.cached, readAt: now };
        return this.cached.catalogue;
      }
      const text = parameter.Parameter?.Value;
      if (text === undefined) throw new CustomsError('malformed', `policy parameter ${this.options.parameterName} has no value`);
      const catalogue = await this.compile(text);
      this.cached = { catalogue, parameterVersion: version, readAt: now };
      return catalogue;
    } catch (error) {
      if (this.cached) return this.cached.catalogue;
      throw error;
    }
  }

  private async compile(text: string): Promise<PolicyCatalogue> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CustomsError('malformed', `policy parameter ${this.options.parameterName} is not JSON`, { cause: error });
    }
    const document = parsePolicyDocument(json);
    const vexTexts = new Map<string, string>();
    for (const object of vexObjectsOf(document)) vexTexts.set(`s3://${object.bucket}/${object.key}`, await readS3Text(this.options.s3, object.bucket, object.key, MAX_VEX_DOCUMENT_BYTES));
    return compilePolicyCatalogue(document, vexTexts);
  }
}
