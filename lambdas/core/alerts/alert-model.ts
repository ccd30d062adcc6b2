import type { Digest } from '../digest.ts';
import type { Severity } from '../findings/model.ts';
import type { PolicyMode } from '../policy/repository-policy.ts';
import type { KeptTag, QuarantineMethod, QuarantineState, QuarantineTrigger, QuarantineWarning, StorageStatus } from '../pipeline/quarantine-model.ts';
import type { PlatformVerdict, SeverityCounts, VerdictFinding, VerdictValue } from '../pipeline/verdict-model.ts';

/**
 * Alerts: what people and tools are told when a verdict changes. The JSON body is the documented
 * `customs.alert` schema (alert-schema.json, version 1); the same facts go to EventBridge.
 */
export type AlertEventType =
  | 'FAILED_POLICY'
  | 'VERDICT_CHANGED'
  | 'SCAN_FAILED'
  | 'ADVISORIES_UNAVAILABLE'
  /** A re-evaluation (advisories changed, no new push) found failing vulnerabilities the image did not have. */
  | 'NEW_FINDINGS'
  /** A re-evaluation found failing vulnerabilities gone (a fix, a withdrawn advisory) and no new ones. */
  | 'RESOLVED'
  /** Enforce mode removed tags from (or archived) an image; `quarantine` says what and how to undo it. */
  | 'QUARANTINED'
  /** A quarantine was undone (tags restored, archive restoring); `quarantine.release` says who and why. */
  | 'RELEASED'
  /** Enforce mode applied but quarantine could not hold or was not allowed; `quarantine.skippedReason` says why. */
  | 'QUARANTINE_SKIPPED';

export const ALERT_SCHEMA = 'customs.alert/v1';

export interface AlertRepository {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

/** One image's verdict change. */
export interface ImageAlert {
  readonly schema: typeof ALERT_SCHEMA;
  readonly kind: 'image';
  /** Stable for one change: a retry, a duplicate event or a second delivery carries the same ID. */
  readonly alertId: string;
  readonly eventType: AlertEventType;
  /** ISO 8601. */
  readonly time: string;
  readonly repository: AlertRepository;
  readonly image: {
    readonly digest: Digest;
    readonly tags: readonly string[];
    readonly kind: 'image' | 'index';
    readonly platforms: readonly PlatformVerdict[];
  };
  readonly verdict: {
    readonly value: VerdictValue;
    /** The verdict last announced, when there was one. */
    readonly previous?: VerdictValue;
    readonly reason?: string;
    readonly policyVersion: string;
    readonly policySource: string;
    readonly mode: PolicyMode;
    readonly failOn: Severity;
  };
  readonly counts: SeverityCounts;
  readonly failingCount: number;
  readonly suppressedCount: number;
  /** Worst remaining findings, with fixed versions, at most MAX_WORST_FINDINGS. */
  readonly worstFindings: readonly VerdictFinding[];
  /** Against the last announced state: vulnerability IDs that now fail, and that no longer do. */
  readonly changes: { readonly newlyFailing: readonly string[]; readonly noLongerFailing: readonly string[] };
  /** The worst severity among the failing findings (or all remaining when none fails); NONE without findings. */
  readonly severity: AlertSeverity;
  /** QUARANTINED, RELEASED and QUARANTINE_SKIPPED: what quarantine did. */
  readonly quarantine?: QuarantineAlertDetail;
}

/** What one quarantine step did, as its alert tells it. */
export interface QuarantineAlertDetail {
  /** QuarantineRecord.id. */
  readonly id: string;
  readonly state: QuarantineState;
  readonly method: QuarantineMethod;
  readonly trigger: QuarantineTrigger;
  /** Tags this step removed (QUARANTINED) or put back (RELEASED), sorted. */
  readonly tags: readonly string[];
  /** Tags it left alone, and why (a newer push wins). */
  readonly keptTags: readonly KeptTag[];
  readonly marker?: string;
  readonly storage?: StorageStatus;
  readonly warnings: readonly QuarantineWarning[];
  readonly skippedReason?: string;
  readonly release?: { readonly by: string; readonly reason: string; readonly trigger: 'request' | 'findings-resolved' };
}

/** Many images' changes grouped into one message for people (a new glibc CVE touching 500 images). */
export interface GroupAlert {
  readonly schema: typeof ALERT_SCHEMA;
  readonly kind: 'group';
  readonly alertId: string;
  readonly eventType: AlertEventType;
  readonly time: string;
  readonly repository: AlertRepository;
  /** The vulnerability ID the group is about, or `policy` when the change came from the policy alone. */
  readonly advisory: string;
  readonly verdict: { readonly value: VerdictValue; readonly mode: PolicyMode; readonly policyVersion: string };
  readonly images: {
    readonly total: number;
    /** The first images (by digest), at most MAX_GROUP_LISTED; every one is in its own image alert too. */
    readonly listed: readonly { readonly digest: Digest; readonly tags: readonly string[]; readonly alertId: string }[];
  };
  readonly severity: AlertSeverity;
}

export type Alert = ImageAlert | GroupAlert;

export type AlertSeverity = Severity | 'NONE';

/**
 * Who a message is for (message attribute `audience`): `all` goes to every subscriber; in a storm,
 * per-image messages past the email cap are `machines` (SQS, Lambda, HTTPS) and the group summary
 * is `people` (email). Subscriptions made from the configuration filter on it.
 */
export type AlertAudience = 'all' | 'machines' | 'people';

export interface OutgoingAlert {
  readonly alert: Alert;
  readonly audience: AlertAudience;
}

export const MAX_GROUP_LISTED = 50;

/**
 * An EventBridge event: `Customs Verdict` per verdict alert, `Customs Finding` per failing finding
 * that changed, `Customs Quarantine` per quarantine alert (QUARANTINED, RELEASED, QUARANTINE_SKIPPED).
 */
export interface CustomsEvent {
  readonly detailType: 'Customs Verdict' | 'Customs Finding' | 'Customs Quarantine';
  /** The ECR repository ARN (or the registry's repository name off AWS). */
  readonly resources: readonly string[];
  readonly time: Date;
  /** Documented in event-schema.json; carries `alertId` so consumers de-duplicate as SNS subscribers do. */
  readonly detail: Readonly<Record<string, unknown>>;
}
