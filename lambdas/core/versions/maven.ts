import { CustomsError } from '../errors.ts';
import { compareItems } from './maven-items.ts';
import { parseMaven } from './maven-parse.ts';
import { type VersionScheme, sign } from './version-scheme.ts';

/**
 * Maven's version order, as Maven 3.8.7's ComparableVersion (the one Debian ships) defines it.
 * Maven reads any string; only the empty one is refused, as it names no version.
 */
export const mavenScheme: VersionScheme = {
  name: 'maven',
  isValid: (version) => version.length > 0,
  compare(a, b) {
    for (const version of [a, b]) {
      if (version.length === 0) throw new CustomsError('malformed', 'empty Maven version');
    }
    return sign(compareItems(parseMaven(a), parseMaven(b)));
  },
};
