import { CustomsError } from '../errors.ts';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Parses `os/arch[/variant]` as given on the command line. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9._-]+$/i.test(part))) {
    throw new CustomsError('usage', `platform ${JSON.stringify(text)} is not of the form os/arch[/variant], e.g. linux/arm64`);
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return normalizePlatform({ os: os.toLowerCase(), architecture: architecture.toLowerCase(), ...(variant ? { variant: variant.toLowerCase() } : {}) });
}

/** Applies the conventions runtimes use: arm64's only variant is v8, and arm defaults to v7. */
export function normalizePlatform(platform: Platform): Platform {
  const { os, architecture } = platform;
  let variant = platform.variant || undefined;
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * Whether an image's platform satisfies a requested one. A request without variant accepts any
 * variant of that architecture; one with a variant requires it (arm's unspecified variant reads as v7).
 */
export function platformMatches(requested: Platform, candidate: Platform): boolean {
  const want = normalizePlatform(requested);
  const have = normalizePlatform(candidate);
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (!want.variant) return true;
  const haveVariant = have.variant ?? (have.architecture === 'arm' ? 'v7' : undefined);
  return want.variant === haveVariant;
}
