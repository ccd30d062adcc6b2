import type { Digest } from '../../core/digest.ts';
import type { EcrClients } from './ecr-clients.ts';
import { EcrImageReader, type EcrImageDetails } from './ecr-image-reader.ts';
import { checkedRegion } from './ecr-registry.ts';

/** A repository in one account's registry in one Region. */
export interface EcrRegionalRepositoryRef {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
}

/**
 * The ECR re-read (DescribeImages, BatchGetImage) through the API of the Region the event names,
 * not the Lambda's own: one reader per Region, on that Region's client.
 */
export class RegionalEcrImageReader {
  private readonly readers = new Map<string, EcrImageReader>();

  constructor(private readonly clients: EcrClients) {}

  async describe(ref: EcrRegionalRepositoryRef, digest: Digest): Promise<EcrImageDetails> {
    return this.readerFor(ref.region).describe(ref, digest);
  }

  async tagDigest(ref: EcrRegionalRepositoryRef, tag: string): Promise<Digest | undefined> {
    return this.readerFor(ref.region).tagDigest(ref, tag);
  }

  private readerFor(region: string): EcrImageReader {
    // A caller that leaves the Region out is refused here rather than read from the wrong one.
    const checked = checkedRegion(region);
    let reader = this.readers.get(checked);
    if (!reader) {
      reader = new EcrImageReader(this.clients.forRegion(checked));
      this.readers.set(checked, reader);
    }
    return reader;
  }
}
