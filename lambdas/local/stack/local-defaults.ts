/**
 * The local stack's settings where the deployed stack takes them from its configuration: the same
 * defaults as `lib/config/customs-config.ts`, so a verdict judged locally is judged as on AWS.
 */
export const LOCAL_DEFAULTS = {
  /** Images named in one alert before the rest are counted (alerts.emailImageCap). */
  emailImageCap: 20,
  /** A scan with advisories older than this is ADVISORIES_UNAVAILABLE (advisoryMaxAgeHours). */
  advisoryMaxAgeMs: 48 * 3_600_000,
  /** The API reports an ecosystem stale past this (advisorySync.maxCursorAgeHours). */
  advisoryStaleAfterHours: 3,
  /** advisorySync.overlapHours, fullCompareEveryDays; rescan.digestsPerMessage. */
  overlapMs: 48 * 3_600_000,
  fullCompareEveryMs: 7 * 86_400_000,
  digestsPerMessage: 50,
} as const;

export const LOCAL_TABLES = { findings: 'customs-findings', advisories: 'customs-advisories' } as const;
