import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { LocalObjectStore } from '@shoal/shard';
import { startNode } from '../src/index.ts';
import type { ShoalNode } from '../src/index.ts';

/** Starts a node on an in-memory disk (pass the same disk again to "restart" it). */
export async function testNode(disk = new MemoryDisk(), opts: { segmentMaxRows?: number } = {}): Promise<{ node: ShoalNode; disk: MemoryDisk }> {
  const env = createTestEnv({ disk });
  const node = await startNode({
    env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(),
    segmentMaxRows: opts.segmentMaxRows,
    onError: (what, err) => { throw new Error(`${what}: ${String(err)}`); },
  });
  return { node, disk };
}

/** Deterministic pseudo-random vectors (`count × dim`, values in [−1, 1)). */
export function randomVectors(count: number, dim: number, seed = 1): number[][] {
  let s = seed >>> 0;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; };
  return Array.from({ length: count }, () => Array.from({ length: dim }, next));
}
