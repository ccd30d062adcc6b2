import type { PolicySource } from '../ports.ts';
import { compilePolicyCatalogue } from './policy-catalogue.ts';
import { parsePolicyDocument } from './policy-document.ts';
import type { PolicyCatalogue } from './repository-policy.ts';

/** A policy that never changes: the local stack's and tests' PolicySource. */
export class StaticPolicySource implements PolicySource {
  constructor(private readonly catalogue: PolicyCatalogue) {}

  /** From a policy document as written (validated here) and the text of the S3 VEX documents it names. */
  static fromDocument(document: unknown, vexTexts: ReadonlyMap<string, string> = new Map()): StaticPolicySource {
    return new StaticPolicySource(compilePolicyCatalogue(parsePolicyDocument(document), vexTexts));
  }

  current(): Promise<PolicyCatalogue> {
    return Promise.resolve(this.catalogue);
  }
}
