import { readFile } from 'node:fs/promises';
import { CustomsError } from '../core/errors.ts';
import { compilePolicyCatalogue } from '../core/policy/policy-catalogue.ts';
import { parsePolicyDocument, s3Uri, vexObjectsOf } from '../core/policy/policy-document.ts';
import { MAX_VEX_DOCUMENT_BYTES } from '../core/policy/policy-limits.ts';
import { readYaml } from '../core/policy/read-yaml.ts';
import type { RepositoryPolicy } from '../core/policy/repository-policy.ts';

/**
 * `--policy FILE --repository NAME`: the policy a deployed pipeline would judge NAME's images by,
 * from the same document as `customs.policies` (JSON or YAML), resolved and versioned by the same
 * code. S3 VEX documents it names are read with the caller's AWS credentials.
 */
export async function repositoryPolicyFrom(file: string, repository: string): Promise<RepositoryPolicy> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CustomsError('not-found', `policy file ${JSON.stringify(file)}: cannot read the file`);
  });
  const document = parsePolicyDocument(readYaml(text, `policy file ${file}`), `policy file ${file}`);
  const objects = vexObjectsOf(document);
  const vexTexts = new Map<string, string>();
  if (objects.length > 0) {
    // Loaded on demand: only a policy naming S3 documents needs the SDK.
    const [{ S3Client }, { readS3Text }] = await Promise.all([import('@aws-sdk/client-s3'), import('../adapters/s3/s3-text-object.ts')]);
    const client = new S3Client({});
    for (const object of objects) vexTexts.set(s3Uri(object), await readS3Text(client, object.bucket, object.key, MAX_VEX_DOCUMENT_BYTES));
  }
  return compilePolicyCatalogue(document, vexTexts).policyFor(repository);
}
