/** The parts of the findings API's answers the page reads (lambdas/core/api/api-responses.ts has the full schemas). */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Readonly<Record<Severity, number>>;

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

export interface RepositorySummary {
  readonly repository: string;
  readonly images: number;
  readonly lastPushAt?: string;
  readonly verdicts: Readonly<Partial<Record<string, number>>>;
  readonly quarantined: number;
  readonly findings: SeverityCounts;
}

export interface ImageSummary {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: string;
  readonly verdict?: { readonly verdict: string; readonly reason?: string; readonly counts: SeverityCounts; readonly failingIds: readonly string[] };
  readonly quarantined: boolean;
}

export interface FindingItem {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly severity: Severity;
  readonly severitySource?: string;
  readonly title?: string;
  readonly package: { readonly name: string; readonly version: string; readonly type: string; readonly purl: string };
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  readonly fixable: boolean;
  readonly suppressed?: { readonly by: string; readonly reason: string; readonly expires?: string };
}

export interface QuarantineItem {
  readonly key: { readonly repository: string; readonly digest: string };
  readonly state: string;
  readonly method: string;
  readonly startedAt: string;
  readonly failingIds: readonly string[];
  readonly removedTags: ReadonlyArray<{ readonly tag: string }>;
}

export interface ReleaseAnswer {
  readonly outcome: string;
  readonly restoredTags: readonly string[];
  readonly keptTags: ReadonlyArray<{ readonly tag: string; readonly reason: string }>;
}

export interface ImageDetail extends ImageSummary {
  readonly kind: string;
  readonly children: readonly string[];
  readonly platforms: ReadonlyArray<{ readonly digest: string; readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string }; readonly status: string; readonly verdict: string; readonly scannedAt: string }>;
  readonly scan?: {
    readonly status: string;
    readonly scannerVersion: string;
    readonly finishedAt: string;
    readonly distro?: { readonly id: string; readonly version?: string; readonly name?: string };
    readonly packages: number;
    readonly layers: ReadonlyArray<{ readonly digest: string; readonly size: number }>;
    readonly advisories: ReadonlyArray<{ readonly ecosystem: string; readonly loadedAt?: string }>;
  };
  readonly quarantine?: { readonly state: string; readonly method: string; readonly startedAt: string; readonly removedTags: readonly string[] };
}

export type SbomAnswer = { readonly format: 'CycloneDX'; readonly document: Readonly<Record<string, unknown>> } | { readonly format: 'CycloneDX'; readonly url: string; readonly expiresAt: string; readonly bytes: number };

export interface HistoryAnswer {
  readonly days: ReadonlyArray<{ readonly date: string; readonly images: number; readonly findings: SeverityCounts }>;
}
