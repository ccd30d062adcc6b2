import { CustomsError } from '../../core/errors.ts';
import { stringOption, type OptionValues } from './api-subcommand.ts';
import { parseDigestReference } from './image-reference.ts';

/** The options naming an image's registry, for the image-scoped commands. */
export const REGISTRY_OPTIONS = {
  account: { type: 'string' },
  'registry-region': { type: 'string' },
} as const;

export const REGISTRY_USAGE = `  --account ID           the registry's account (default: the API's own, or the ECR host's)
  --registry-region R    the registry's region (default: the API's own, or the ECR host's)
`;

export const IMAGE_OPTIONS = { repository: { type: 'string' }, digest: { type: 'string' }, ...REGISTRY_OPTIONS } as const;

export function registryQuery(values: OptionValues, fromReference: { account?: string; region?: string } = {}): { account?: string; region?: string } {
  const account = stringOption(values, 'account') ?? fromReference.account;
  const region = stringOption(values, 'registry-region') ?? fromReference.region;
  return { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) };
}

/** REPO@sha256:… as the one positional, or --repository and --digest. */
export function imageArgument(values: OptionValues, positionals: readonly string[], command: string): { repository: string; digest: string; account?: string; region?: string } {
  const repository = stringOption(values, 'repository');
  const digest = stringOption(values, 'digest');
  if (positionals.length === 1 && repository === undefined && digest === undefined) {
    const reference = parseDigestReference(positionals[0]!);
    return { repository: reference.repository, digest: reference.digest, ...registryQuery(values, reference) };
  }
  if (positionals.length === 0 && repository !== undefined && digest !== undefined) return { repository, digest, ...registryQuery(values) };
  throw new CustomsError('usage', `api ${command} needs REPOSITORY@sha256:DIGEST, or --repository and --digest (see customs api ${command} --help)`);
}
