import type { FileHistory } from '../../image/squashed-view.ts';
import { APK_INSTALLED } from './apk-database-analyzer.ts';

/**
 * apk reads one database. apk-tools 3 defaults to /usr/lib/apk/db but uses /lib/apk/db when that
 * exists (and apk-tools 2 knows only /lib/apk/db), so a stale copy beside it lists nothing.
 * Behind a `lib -> usr/lib` symlink both paths are one file, seen once, at its usr/lib path.
 */
export function chooseApkDatabase(files: readonly FileHistory[]): readonly FileHistory[] {
  const legacy = files.find((file) => file.path === APK_INSTALLED);
  return legacy ? [legacy] : files.slice(0, 1);
}
