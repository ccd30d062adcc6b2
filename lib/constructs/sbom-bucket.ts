import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SbomBucketProps {
  /** @default RemovalPolicy.RETAIN (a destroyed stack leaves a non-empty bucket behind) */
  readonly removalPolicy?: RemovalPolicy;
  /** Overwritten or deleted documents are kept this long. @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * Large SBOM documents (compressed) that would not fit a 400 KB DynamoDB item. Private, TLS only,
 * versioned so an overwrite can be undone, old versions expiring.
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
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
