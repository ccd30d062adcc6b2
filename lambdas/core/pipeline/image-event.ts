import type { Digest } from '../digest.ts';

/**
 * What a registry says happened to one manifest, whichever registry it is (ECR's EventBridge
 * events, a registry's webhook, the local stack's notifications). Every event is a hint: at least
 * once and unordered, so the pipeline asks the registry what it holds now before acting on one.
 */
export type ImageEventKind = 'push' | 'delete' | 'replication' | 'pull-through-cache';

export interface ImageEvent {
  readonly kind: ImageEventKind;
  /** The event's own ID, for logs and idempotency notes. */
  readonly eventId: string;
  /** The registry's account (ECR's registry ID); a registry without accounts names one of its own. */
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  readonly digest: Digest;
  /** The tag the event names; absent for untagged pushes (an index's platform manifests). */
  readonly tag?: string;
  /** When the registry says the action happened (ISO 8601, as the event has it). */
  readonly time: string;
}
