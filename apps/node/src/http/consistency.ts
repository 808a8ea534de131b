/**
 * Milvus consistency levels in request bodies (`consistencyLevel` of search/query/get and
 * `params.consistencyLevel` of collections/create), validated as Milvus's
 * `convertConsistencyLevel` (utils.go) does.
 */
import type { ConsistencyLevel } from '@shoal/cluster';
import { notSupported } from '@shoal/actors';
import type { BodyReader } from './body.ts';

/** Consistency levels Shoal implements (Milvus also has `Customized`). */
export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ['Strong', 'Session', 'Bounded', 'Eventually'];

/**
 * Reads a consistency level from `key` of `body`; `Customized` is not supported (3000), an unknown
 * name is 1100. Returns `undefined` when absent.
 */
export function readConsistency(body: BodyReader, key: string): ConsistencyLevel | undefined {
  const v = body.optString(key);
  if (v === undefined || v === '') return undefined;
  const found = CONSISTENCY_LEVELS.find((c) => c === v);
  if (found) return found;
  if (v === 'Customized') throw notSupported('consistency level Customized');
  throw body.invalid(key, v, `consistencyLevel can only be ${CONSISTENCY_LEVELS.join(', ')} (default: Bounded)`);
}
