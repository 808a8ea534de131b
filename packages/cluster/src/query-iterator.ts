/**
 * The query iterator (a Shoal extension of `entities/query`; docs/api.md, "Query iterator"): pages
 * through any number of matching rows in ONE MVCC snapshot, in ascending primary-key order.
 *
 * The first page takes a fresh TSO timestamp as the snapshot; every shard waits until that
 * timestamp is serviceable (every write at or below it durable) and reads exactly at it, so the
 * snapshot is the same on every shard and on every page. Each shard returns its `n` smallest
 * keys greater than the previous page's last key; the router merges them and keeps the `n`
 * smallest. The cursor handed to the client carries (collection id, snapshot timestamp, last key,
 * rows left of `limit`): a page never depends on state kept on the node, so any peer can serve the
 * next page and a cursor needs no closing. (pymilvus's QueryIterator pages by primary key the same
 * way, over gRPC, with `pk > last` added to the expression and a fixed `guarantee_timestamp`.)
 *
 * Old snapshots stay readable: a shard keeps each row's insert and delete timestamps (tombstones)
 * for the life of its segment, and no compaction purges deleted rows yet. Compaction, when it
 * comes, must keep rows deleted after the oldest snapshot still in use, or reject such cursors.
 */
import { invalidParameter } from '@shoal/actors';
import { comparePrimaryKeys, primaryField } from '@shoal/shard';
import type { PrimaryKey } from '@shoal/shard';
import type { CollectionMeta } from './catalog.ts';
import { decodeCursor, encodeCursor, keyKind, parseCursorKey } from './cursor.ts';
import { MAX_TOPK, readParams } from './data.ts';
import { resolveOutputFields } from './results.ts';
import type { RouterContext } from './router-context.ts';
import { DEFAULT_ITERATOR_BATCH } from './service.ts';
import type { QueryIteratorRequest, QueryPage, Row } from './service.ts';

/** What a cursor carries (version 1; wire form in cursor.ts, plus `k` key kind and `pk` key). */
interface CursorState {
  /** Collection id: a cursor is only valid for the collection (incarnation) it was made for. */
  collectionId: number;
  /** The snapshot timestamp (hybrid TSO) fixed by the first page. */
  snapshotTs: bigint;
  /** The last primary key returned so far. */
  lastPk: PrimaryKey;
  /** Rows left of the iteration's `limit`; undefined = no limit. */
  left?: number;
}

/** Encodes a query iterator cursor as an opaque URL-safe string. */
export function encodeQueryCursor(c: CursorState): string {
  return encodeCursor(c, { k: keyKind(c.lastPk), pk: String(c.lastPk) });
}

/**
 * Decodes a cursor made by {@link encodeQueryCursor}.
 * @throws ShoalError ParameterInvalid "malformed query iterator cursor" for anything else.
 */
export function decodeQueryCursor(text: unknown): CursorState {
  const env = decodeCursor(text, 'query iterator');
  const lastPk = parseCursorKey(env.json.k, env.json.pk);
  if (lastPk === undefined) throw env.bad('bad primary key');
  const state: CursorState = { collectionId: env.collectionId, snapshotTs: env.snapshotTs, lastPk };
  if (env.left !== undefined) state.left = env.left;
  return state;
}

/**
 * Serves one page of a query iterator (see the file comment and `QueryIteratorRequest`).
 * @throws ShoalError CollectionNotFound/CollectionNotLoaded; ParameterInvalid for a bad filter,
 *   filter parameters, batchSize, limit, outputFields (`count(*)` has no pages), or cursor (malformed,
 *   made for another collection, or with a snapshot newer than now).
 */
export async function queryPage(ctx: RouterContext, req: QueryIteratorRequest): Promise<QueryPage> {
  const meta = await ctx.loadedCollection(req.collectionName);
  const filter = req.filter ?? '';
  if (typeof filter !== 'string') throw invalidParameter('filter must be a string (a Milvus boolean expression)');
  const batch = req.batchSize ?? DEFAULT_ITERATOR_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_TOPK) throw invalidParameter(`batchSize must be an integer in [1, ${MAX_TOPK}], got ${JSON.stringify(batch)}`);
  const requested = req.outputFields ?? [];
  if (requested.some((f) => typeof f === 'string' && f.trim().toLowerCase() === 'count(*)')) throw invalidParameter('count(*) cannot be read with a query iterator; use entities/query');
  const outputFields = resolveOutputFields(meta.schema, requested, true);
  const read = await readParams(ctx, meta, { partitionNames: req.partitionNames, consistencyLevel: 'Strong' }, filter, outputFields, req.filterParams);
  let state: Omit<CursorState, 'lastPk'> & { lastPk?: PrimaryKey };
  if (req.cursor === undefined || req.cursor === '') {
    state = { collectionId: meta.id, snapshotTs: read.nowTs };
    if (req.limit !== undefined) {
      if (!Number.isSafeInteger(req.limit) || req.limit < 1) throw invalidParameter(`limit of a query iterator (most rows in all) must be a positive integer, got ${JSON.stringify(req.limit)}`);
      state.left = req.limit;
    }
  } else {
    state = checkCursor(decodeQueryCursor(req.cursor), meta, read.nowTs);
  }
  read.snapshotTs = state.snapshotTs;
  const n = Math.min(batch, state.left ?? batch);
  const parts = await ctx.shards.askAll<Row[]>(meta, { t: 'queryAfter', read, after: state.lastPk, limit: n });
  const pkName = primaryField(meta.schema).name;
  const byPk = (a: Row, b: Row) => comparePrimaryKeys(a[pkName] as PrimaryKey, b[pkName] as PrimaryKey);
  const rows = (parts.length === 1 ? parts[0] : parts.flat().sort(byPk)).slice(0, n);
  const left = state.left === undefined ? undefined : state.left - rows.length;
  if (rows.length < n || left === 0) return { rows };
  const next: CursorState = { collectionId: meta.id, snapshotTs: state.snapshotTs, lastPk: rows[rows.length - 1][pkName] as PrimaryKey };
  if (left !== undefined) next.left = left;
  return { rows, cursor: encodeQueryCursor(next) };
}

/**
 * Checks that a decoded cursor belongs to this collection and to a snapshot that can be served.
 * @throws ShoalError ParameterInvalid otherwise.
 */
function checkCursor(c: CursorState, meta: CollectionMeta, nowTs: bigint): CursorState {
  if (c.collectionId !== meta.id) {
    throw invalidParameter(`query iterator cursor was made for another collection (id ${c.collectionId}), not "${meta.name}" (id ${meta.id}); a dropped and re-created collection needs a new iteration`);
  }
  if (c.snapshotTs > nowTs) throw invalidParameter(`query iterator cursor's snapshot timestamp ${c.snapshotTs} is newer than the cluster's time ${nowTs}; it was not made by this cluster`);
  const pkType = primaryField(meta.schema).dataType;
  if ((typeof c.lastPk === 'string') !== (pkType === 'VarChar')) throw invalidParameter(`query iterator cursor holds a primary key of another type than "${meta.name}"'s ${pkType} key`);
  return c;
}
