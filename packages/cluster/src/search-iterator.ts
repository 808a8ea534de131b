/**
 * The search iterator (a Shoal extension of `entities/search`; docs/api.md, "Search iterator"):
 * pages through one query vector's hits in order of distance, with no cap on their number, in
 * ONE MVCC snapshot.
 *
 * As pymilvus's SearchIterator does over gRPC, each page after the first is a range search that
 * starts at the previous page's last distance `d`: `range_filter = d` (inclusive near bound) with
 * the caller's `radius` (or the widest finite one) as the far bound, and the primary keys already
 * returned AT distance `d` excluded by `pk not in [...]` and'ed to the filter. Hits nearer than `d`
 * were returned by earlier pages; hits at `d` are returned once (the excluded keys accumulate while
 * pages end on the same distance). Pages are ordered by (distance, primary key) as `sortHits`.
 *
 * The first page takes a fresh TSO timestamp as the snapshot; every page reads exactly at it
 * (shards wait until it is serviceable), so rows written during the iteration are never seen and
 * no row moves between pages. The cursor carries (collection id, snapshot timestamp, last
 * distance, the keys returned at it, hits left of `limit`), so any peer can serve the next page
 * and a cursor needs no closing. Old snapshots stay readable as for the query iterator
 * (query-iterator.ts). With an ANN index the pages are as approximate as the index's range search;
 * with FLAT they are exact: the pages concatenated equal one exact search for every hit.
 */
import { invalidParameter } from '@shoal/actors';
import { smallerIsBetter } from '@shoal/ann';
import { primaryField } from '@shoal/shard';
import type { PrimaryKey } from '@shoal/shard';
import { metricOf } from './catalog.ts';
import type { CollectionMeta } from './catalog.ts';
import { MAX_TOPK, search } from './data.ts';
import type { RouterContext } from './router-context.ts';
import { DEFAULT_ITERATOR_BATCH } from './service.ts';
import type { SearchIteratorRequest, SearchPage } from './service.ts';

/** What a search iterator cursor carries (version 1). */
interface CursorState {
  /** Collection id: a cursor is only valid for the collection (incarnation) it was made for. */
  collectionId: number;
  /** The snapshot timestamp (hybrid TSO) fixed by the first page. */
  snapshotTs: bigint;
  /** The score of the last hit returned so far. */
  lastDistance: number;
  /** Primary keys of the hits returned with score exactly `lastDistance`. */
  seen: PrimaryKey[];
  /** Hits left of the iteration's `limit`; undefined = no limit. */
  left?: number;
}

/** Cursor wire form: base64url of this JSON (`v` version, `c` collection id, `ts` decimal, `d` distance, `k` key kind, `pks` keys, `left`). */
interface CursorJson {
  v: 1;
  c: number;
  ts: string;
  d: number;
  k: 'i' | 's';
  pks: string[];
  left?: number;
}

/** Encodes a cursor as an opaque URL-safe string (see {@link CursorJson}). */
export function encodeSearchCursor(c: CursorState): string {
  const json: CursorJson = { v: 1, c: c.collectionId, ts: c.snapshotTs.toString(), d: c.lastDistance, k: typeof c.seen[0] === 'string' ? 's' : 'i', pks: c.seen.map(String) };
  if (c.left !== undefined) json.left = c.left;
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeSearchCursor}.
 * @throws ShoalError ParameterInvalid "malformed search iterator cursor" for anything else.
 */
export function decodeSearchCursor(text: unknown): CursorState {
  const bad = (why: string) => invalidParameter(`malformed search iterator cursor (${why}): pass the \`cursor\` of the previous page unchanged, or omit it to start a new iteration`);
  if (typeof text !== 'string' || text === '') throw bad('not a non-empty string');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad('not base64url');
  let json: Partial<CursorJson>;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<CursorJson>;
  } catch {
    throw bad('not a cursor');
  }
  if (json === null || typeof json !== 'object' || json.v !== 1) throw bad('unknown version');
  if (typeof json.c !== 'number' || !Number.isSafeInteger(json.c)) throw bad('no collection id');
  if (typeof json.ts !== 'string' || !/^\d{1,20}$/.test(json.ts)) throw bad('no snapshot timestamp');
  if (typeof json.d !== 'number' || !Number.isFinite(json.d)) throw bad('no distance');
  if ((json.k !== 'i' && json.k !== 's') || !Array.isArray(json.pks) || json.pks.length === 0 || json.pks.some((p) => typeof p !== 'string')) throw bad('no primary keys');
  if (json.k === 'i' && json.pks.some((p) => !/^-?\d{1,20}$/.test(p) || BigInt.asIntN(64, BigInt(p)) !== BigInt(p))) throw bad('bad Int64 primary key');
  if (json.left !== undefined && (typeof json.left !== 'number' || !Number.isSafeInteger(json.left) || json.left < 1)) throw bad('bad hit budget');
  const state: CursorState = { collectionId: json.c, snapshotTs: BigInt(json.ts), lastDistance: json.d, seen: json.k === 'i' ? json.pks.map((p) => BigInt(p)) : json.pks };
  if (json.left !== undefined) state.left = json.left;
  return state;
}

/**
 * Serves one page of a search iterator (see the file comment and `SearchIteratorRequest`).
 * @throws ShoalError as `search`; ParameterInvalid for more than one query vector, a bad
 *   batchSize or limit, or a bad cursor (malformed, made for another collection, with a snapshot
 *   newer than now, or with keys of another type).
 */
export async function searchPage(ctx: RouterContext, req: SearchIteratorRequest): Promise<SearchPage> {
  const meta = await ctx.loadedCollection(req.collectionName);
  if (!Array.isArray(req.data) || req.data.length !== 1) {
    throw invalidParameter(`a search iterator takes exactly one query vector, got ${Array.isArray(req.data) ? req.data.length : 'none'}`);
  }
  const batch = req.batchSize ?? DEFAULT_ITERATOR_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_TOPK) throw invalidParameter(`batchSize must be an integer in [1, ${MAX_TOPK}], got ${JSON.stringify(batch)}`);
  const nowTs = await ctx.tso();
  let state: Omit<CursorState, 'lastDistance' | 'seen'> & Partial<CursorState>;
  if (req.cursor === undefined || req.cursor === '') {
    state = { collectionId: meta.id, snapshotTs: nowTs };
    if (req.limit !== undefined) {
      if (!Number.isSafeInteger(req.limit) || req.limit < 1) throw invalidParameter(`limit of a search iterator (most hits in all) must be a positive integer, got ${JSON.stringify(req.limit)}`);
      state.left = req.limit;
    }
  } else {
    state = checkCursor(decodeSearchCursor(req.cursor), meta, nowTs);
  }
  const n = Math.min(batch, state.left ?? batch);
  const { batchSize: _b, limit: _l, cursor: _c, ...rest } = req;
  const [hits] = await search(ctx, { ...rest, ...pageWindow(meta, req, state), limit: n }, state.snapshotTs);
  const left = state.left === undefined ? undefined : state.left - hits.length;
  if (hits.length < n || left === 0) return { hits };
  const last = hits[hits.length - 1].distance;
  const seen = hits.filter((h) => h.distance === last).map((h) => h.id);
  if (state.lastDistance === last) seen.push(...state.seen!);
  const next: CursorState = { collectionId: meta.id, snapshotTs: state.snapshotTs, lastDistance: last, seen };
  if (left !== undefined) next.left = left;
  return { hits, cursor: encodeSearchCursor(next) };
}

/**
 * The filter and search parameters of a page: the request's own on the first page; after it, the
 * range window from the last distance on, and the keys seen at that distance excluded.
 */
function pageWindow(meta: CollectionMeta, req: SearchIteratorRequest, state: Partial<CursorState>): { filter?: string; searchParams?: SearchIteratorRequest['searchParams'] } {
  if (state.lastDistance === undefined) return { filter: req.filter, searchParams: req.searchParams };
  const metric = metricOf(meta, req.searchParams?.metricType);
  const given = req.searchParams?.params ?? {};
  const radius = given.radius ?? (smallerIsBetter(metric) ? Number.MAX_VALUE : -Number.MAX_VALUE);
  const params = { ...given, radius, range_filter: state.lastDistance };
  const pk = primaryField(meta.schema).name;
  const keys = state.seen!.map((k) => (typeof k === 'string' ? JSON.stringify(k) : String(k))).join(', ');
  const user = typeof req.filter === 'string' && req.filter.trim() !== '' ? `(${req.filter}) and ` : '';
  return { filter: `${user}(${pk} not in [${keys}])`, searchParams: { ...req.searchParams, params } };
}

/**
 * Checks that a decoded cursor belongs to this collection and to a snapshot that can be served.
 * @throws ShoalError ParameterInvalid otherwise.
 */
function checkCursor(c: CursorState, meta: CollectionMeta, nowTs: bigint): CursorState {
  if (c.collectionId !== meta.id) {
    throw invalidParameter(`search iterator cursor was made for another collection (id ${c.collectionId}), not "${meta.name}" (id ${meta.id}); a dropped and re-created collection needs a new iteration`);
  }
  if (c.snapshotTs > nowTs) throw invalidParameter(`search iterator cursor's snapshot timestamp ${c.snapshotTs} is newer than the cluster's time ${nowTs}; it was not made by this cluster`);
  const pkType = primaryField(meta.schema).dataType;
  if ((typeof c.seen[0] === 'string') !== (pkType === 'VarChar')) throw invalidParameter(`search iterator cursor holds primary keys of another type than "${meta.name}"'s ${pkType} key`);
  return c;
}
