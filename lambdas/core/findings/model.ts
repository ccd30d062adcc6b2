import type { ImageFailure, ImageSbom, Package } from '../sbom/model.ts';

/** Severities from worst to least; UNKNOWN when no source rates the vulnerability. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a severity came from, in the order they are preferred. */
export type SeveritySourceKind = 'distribution' | 'cvss' | 'database';

export interface SeverityRating {
  readonly severity: Severity;
  readonly kind: SeveritySourceKind | 'none';
  /**
   * Who rated it, in words a report can print: `Ubuntu`, `Debian urgency`, `CVSS_V3 (GHSA-…)`,
   * `GHSA database_specific`.
   */
  readonly source?: string;
  /** The record the rating was read from. */
  readonly record?: string;
  /** CVSS base score and vector, when the rating came from one. */
  readonly score?: number;
  readonly vector?: string;
}

export interface FindingReference {
  readonly url: string;
  /** OSV reference type (`ADVISORY`, `FIX`, `WEB`, …). */
  readonly type: string;
}

/** The advisory record a finding was matched from, and how. */
export interface MatchedAdvisory {
  readonly id: string;
  /** The `affected[].package` the package matched: ecosystem as the record spells it (so the stream shows). */
  readonly ecosystem: string;
  readonly name: string;
  /** This record's fixed versions for the installed version (empty: no fix in this record). */
  readonly fixedVersions: readonly string[];
  /** `modified` of the record, so a rescan can tell what changed. */
  readonly modified: string;
}

/** One vulnerability in one installed package. */
export interface Finding {
  /** Primary ID: the CVE when there is one, else the GHSA, else the record's own ID. */
  readonly id: string;
  /** Every other ID the vulnerability is known by (GHSA, PYSEC, DSA, DLA, USN, DEBIAN-CVE…), sorted. */
  readonly aliases: readonly string[];
  readonly package: Package;
  /** The version compared with the advisories: the source package's for Debian and Ubuntu. */
  readonly installedVersion: string;
  /** Versions that fix it for this package, lowest first; empty when no fix is available. */
  readonly fixedVersions: readonly string[];
  readonly severity: SeverityRating;
  readonly title?: string;
  readonly description?: string;
  readonly references: readonly FindingReference[];
  readonly advisories: readonly MatchedAdvisory[];
  /** Earliest `published` among the records. */
  readonly published?: string;
}

/** A finding the policy removed, and why. */
export interface Suppression {
  readonly finding: Finding;
  readonly by: 'ignore' | 'vex' | 'unfixed' | 'severity';
  /** The ignore entry's reason, the VEX justification and impact statement, or the filter. */
  readonly reason: string;
  /** For `vex`: the statement's status (`not_affected`, `fixed`) and justification, kept for reports. */
  readonly vex?: { readonly status: string; readonly justification?: string; readonly document: string };
  /** For `ignore`: the entry's expiry date, when it has one. */
  readonly expires?: string;
}

/** One platform image's findings after matching and policy. */
export interface ImageFindings {
  readonly sbom: ImageSbom;
  /** Findings that remain after the policy, worst first. */
  readonly findings: readonly Finding[];
  readonly suppressed: readonly Suppression[];
  /** Matching and policy notes (end of life, unreadable ranges, expired ignore entries). */
  readonly warnings: readonly string[];
}

export interface GateResult {
  readonly threshold: Severity;
  /** Findings at or above the threshold, after ignores, VEX and filters. */
  readonly failing: number;
  readonly passed: boolean;
}

export interface AdvisorySummary {
  /** What the advisories were loaded from, as the user named it. */
  readonly sources: readonly string[];
  readonly loaded: number;
  readonly withdrawn: number;
  readonly malformed: number;
}

/** Everything `customs scan` reports for one reference. */
export interface VulnerabilityReport {
  readonly reference: string;
  readonly images: readonly ImageFindings[];
  readonly failures?: readonly ImageFailure[];
  readonly advisories: AdvisorySummary;
  readonly gate?: GateResult;
  /** Report-wide notes (expired ignore entries, VEX statements that matched nothing). */
  readonly warnings: readonly string[];
}
