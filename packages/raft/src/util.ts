import type { Entry } from './types.ts';

/**
 * The longest prefix of `ents` whose data totals at most `maxSize` bytes, but always at least
 * one entry (etcd raft `limitSize`). `maxSize` = Infinity means no limit.
 */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = ents[0].data.byteLength;
  let n = 1;
  while (n < ents.length) {
    size += ents[n].data.byteLength;
    if (size > maxSize) break;
    n++;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/** Total data bytes of `ents` (the payload size used for flow control). */
export function payloadSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.byteLength;
  return s;
}
