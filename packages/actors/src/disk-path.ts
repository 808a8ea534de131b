/**
 * Validation of the relative, `/`-separated paths that every `Disk` implementation accepts
 * (env.ts: "Paths are `/`-separated and relative to the Env's root data directory; they must not
 * contain `..` segments"). Shared by `NodeDisk` and `MemoryDisk` so that both reject the same paths.
 */
import { DiskError } from './env.ts';

/**
 * Splits a `Disk` path into its segments, dropping empty and `.` segments (`'a//b/./c'` →
 * `['a', 'b', 'c']`; `''` and `'.'` → `[]`, the root directory).
 *
 * @throws DiskError `EINVAL` for an absolute path (leading `/`), a `..` segment or a NUL character.
 */
export function diskPathSegments(path: string): string[] {
  if (path.startsWith('/')) throw new DiskError('EINVAL', path, 'absolute paths are not allowed; paths are relative to the data directory');
  if (path.includes('\0')) throw new DiskError('EINVAL', path, 'paths must not contain NUL characters');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new DiskError('EINVAL', path, "'..' segments are not allowed; paths stay inside the data directory");
  return segments;
}
