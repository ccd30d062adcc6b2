import type { Digest } from '../../core/digest.ts';

/**
 * What one ECR event tells the scanner. Every event is a hint (at least once, unordered): the
 * scanner re-reads the image from ECR before it changes any tag state.
 */
export type EcrImageEventKind = 'push' | 'delete' | 'replication' | 'pull-through-cache';

export interface EcrImageEvent {
  readonly kind: EcrImageEventKind;
  /** The EventBridge event's ID, for logs and idempotency notes. */
  readonly eventId: string;
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  readonly digest: Digest;
  /** The tag the event names; absent for untagged pushes (an index's platform manifests). */
  readonly tag?: string;
  /** When ECR says the action happened (ISO 8601, as the event has it). */
  readonly time: string;
  readonly manifestMediaType?: string;
  readonly artifactMediaType?: string;
}

/** Why a record asks nothing of the scanner. None of these is worth a retry. */
export type RejectionReason =
  | 'malformed' // not an ECR event of a known shape
  | 'not-a-push' // an ECR event that brings no image (storage class change, scan, unknown detail type)
  | 'failed-action'; // ECR reports the push, replication or sync itself failed

export interface RecordRejection {
  readonly reason: RejectionReason;
  /** One line naming what was wrong. */
  readonly message: string;
  /** What could be read before the record was rejected, for logs. */
  readonly repository?: string;
  readonly digest?: string;
}

export type ParsedRecord = { readonly ok: true; readonly event: EcrImageEvent } | { readonly ok: false; readonly rejection: RecordRejection };
