import type { ImageEvent, ImageEventKind } from '../../core/pipeline/image-event.ts';

/**
 * What one ECR event tells the scanner: the core's registry-neutral image event (which the
 * handle-image-event use case takes as it is) plus what ECR adds. Every event is a hint (at least
 * once, unordered): the use case re-reads the image from ECR before it changes any tag state.
 */
export type EcrImageEventKind = ImageEventKind;

export interface EcrImageEvent extends ImageEvent {
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
