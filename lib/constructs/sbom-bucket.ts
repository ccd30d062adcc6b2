import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAYER_ANALYSIS_PREFIX } from '../../lambdas/adapters/s3/s3-layer-analysis-cache.ts';

/** Where SBOM documents live in the bucket (lambdas/adapters/s3/s3-sbom-store.ts). */
export const SBOM_PREFIX = 'sboms/';
/** Where the findings API leaves answers past its 6 MB response cap, for a presigned URL to serve (a day at most). */
export const API_ANSWERS_PREFIX = 'api-answers/';

export interface SbomBucketProps {
  /** @default RemovalPolicy.RETAIN (a destroyed stack leaves a non-empty bucket behind) */
  readonly removalPolicy?: RemovalPolicy;
  /** Overwritten or deleted documents are kept this long. @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
  /** Cached layer analyses expire this long after being written; a miss only costs a re-read. @default 30 days */
  readonly layerAnalysisExpiration?: Duration;
}

/**
 * Large SBOM documents (compressed) that would not fit a 400 KB DynamoDB item, the scanner's
 * cached layer analyses and the findings API's large answers (each under its own prefix, expiring). Private, TLS only, versioned so an
 * overwrite can be undone, old versions expiring.
 */
export class SbomBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SbomBucketProps = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // SSE-S3 costs no KMS request; Bucket Keys stay on so a switch to SSE-KMS keeps KMS calls per bucket, not per object.
      encryption: BucketEncryption.S3_MANAGED,
      bucketKeyEnabled: true,
      versioned: true,
      lifecycleRules: [
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30), expiredObjectDeleteMarker: true },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // The shorter noncurrent expiry wins where rules overlap: an expired analysis is gone a day later.
        { id: 'ExpireLayerAnalyses', prefix: LAYER_ANALYSIS_PREFIX, expiration: props.layerAnalysisExpiration ?? Duration.days(30), noncurrentVersionExpiration: Duration.days(1) },
        // A large answer is fetched within its URL's minutes; a day keeps none around for long.
        { id: 'ExpireApiAnswers', prefix: API_ANSWERS_PREFIX, expiration: Duration.days(1), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
