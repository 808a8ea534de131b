/**
 * The search iterator (a Shoal extension of `entities/search`; docs/api.md, "Search iterator"):
 * pages through one query vector's hits in order of distance, with no cap on their number, in
 * ONE MVCC snapshot.
 *
 * As pymilvus's SearchIterator does over gRPC, each page after the first is a range search that
 * starts at the previous page's last distance `d`: `range_filter` just before `d` (inclusive near
 * bound) with the caller's `radius` (or the widest finite one) as the far bound, and the primary
 * keys already returned near `d` excluded by `pk not in [...]` and'ed to the filter. Hits nearer
 * than the near bound were returned by earlier pages; hits at `d` are returned once (the excluded
 * keys accumulate while pages end on the same distance). Pages are ordered by (distance, primary
 * key) as `sortHits`.
 *
 * "Just before" and "near" allow for a row's score differing in its last bits between two search
 * paths of one segment (an index's graph search and its exact scan of few passing rows compute in
 * different float32 orders; the exclusion filter can switch a page from one to the other): the near
 * bound is `d` loosened by {@link SCORE_TOLERANCE} (relative, at least that much absolute), and the
 * keys excluded are those returned with a score within twice that of `d`, so such a row is neither
 * returned twice nor skipped.
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
import { annsField, primaryField } from '@shoal/shard';
import type { PrimaryKey } from '@shoal/shard';
import { metricOf } from './catalog.ts';
import type { CollectionMeta } from './catalog.ts';
import { decodeCursor, encodeCursor, keyKind, parseCursorKey } from './cursor.ts';
import { MAX_TOPK, search } from './data.ts';
import type { RouterContext } from './router-context.ts';
import { DEFAULT_ITERATOR_BATCH } from './service.ts';
import type { SearchIteratorRequest, SearchPage } from './service.ts';

/** Relative tolerance between two scores of one row computed by different search paths (see the module comment). */
export const SCORE_TOLERANCE = 1e-5;

/** What a search iterator cursor carries (version 1). */
interface CursorState {
  /** Collection id: a cursor is only valid for the collection (incarnation) it was made for. */
  collectionId: number;
  /** The snapshot timestamp (hybrid TSO) fixed by the first page. */
  snapshotTs: bigint;
  /** The score of the last hit returned so far. */
  lastDistance: number;
  /** The hits returned so far with a score within twice the tolerance of `lastDistance`: primary key and score. */
  seen: { pk: PrimaryKey; score: number }[];
  /** Hits left of the iteration's `limit`; undefined = no limit. */
  left?: number;
}

/** Encodes a search iterator cursor as an opaque URL-safe string (cursor.ts, plus `d` distance, `k` key kind, `pks` keys, `s` their scores). */
export function encodeSearchCursor(c: CursorState): string {
  return encodeCursor(c, { d: c.lastDistance, k: keyKind(c.seen[0].pk), pks: c.seen.map((e) => String(e.pk)), s: c.seen.map((e) => e.score) });
}

/**
 * Decodes a cursor made by {@link encodeSearchCursor}.
 * @throws ShoalError ParameterInvalid "malformed search iterator cursor" for anything else.
 */
export function decodeSearchCursor(text: unknown): CursorState {
  const env = decodeCursor(text, 'search iterator');
  const { d, k, pks, s: scores } = env.json;
  if (typeof d !== 'number' || !Number.isFinite(d)) throw env.bad('no distance');
  if (!Array.isArray(pks) || pks.length === 0) throw env.bad('no primary keys');
  const keys = pks.map((p) => parseCursorKey(k, p));
  if (keys.some((x) => x === undefined)) throw env.bad('bad primary key');
  if (!Array.isArray(scores) || scores.length !== pks.length || scores.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw env.bad('no scores');
  const seen = keys.map((pk, i) => ({ pk: pk as PrimaryKey, score: scores[i] as number }));
  const state: CursorState = { collectionId: env.collectionId, snapshotTs: env.snapshotTs, lastDistance: d, seen };
  if (env.left !== undefined) state.left = env.left;
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
  const sign = smallerIsBetter(metricOf(meta, annsField(meta.schema, req.annsField).name, req.searchParams?.metricType)) ? 1 : -1;
  const near = (score: number) => sign * (last - score) <= 2 * Math.max(tolerance(last), tolerance(score));
  const seen = (state.seen ?? []).filter((e) => near(e.score));
  for (const h of hits) if (near(h.distance)) seen.push({ pk: h.id, score: h.distance });
  const next: CursorState = { collectionId: meta.id, snapshotTs: state.snapshotTs, lastDistance: last, seen };
  if (left !== undefined) next.left = left;
  return { hits, cursor: encodeSearchCursor(next) };
}

/** The absolute tolerance of scores near `d`: {@link SCORE_TOLERANCE} × max(1, |d|). */
function tolerance(d: number): number {
  return SCORE_TOLERANCE * Math.max(1, Math.abs(d));
}

/**
 * The filter and search parameters of a page: the request's own on the first page; after it, the
 * range window from just before the last distance on (within the request's own window), and the
 * keys seen near that distance excluded.
 */
function pageWindow(meta: CollectionMeta, req: SearchIteratorRequest, state: Partial<CursorState>): { filter?: string; searchParams?: SearchIteratorRequest['searchParams'] } {
  if (state.lastDistance === undefined) return { filter: req.filter, searchParams: req.searchParams };
  const metric = metricOf(meta, annsField(meta.schema, req.annsField).name, req.searchParams?.metricType);
  const given = req.searchParams?.params ?? {};
  const distance = smallerIsBetter(metric);
  const radius = given.radius ?? (distance ? Number.MAX_VALUE : -Number.MAX_VALUE);
  const d = state.lastDistance;
  const own = given.range_filter === undefined ? undefined : Number(given.range_filter);
  const loose = distance ? d - tolerance(d) : d + tolerance(d);
  const rangeFilter = own === undefined ? loose : distance ? Math.max(own, loose) : Math.min(own, loose);
  const params = { ...given, radius, range_filter: rangeFilter };
  const pk = primaryField(meta.schema).name;
  const keys = state.seen!.map((e) => (typeof e.pk === 'string' ? JSON.stringify(e.pk) : String(e.pk))).join(', ');
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
  if ((typeof c.seen[0].pk === 'string') !== (pkType === 'VarChar')) throw invalidParameter(`search iterator cursor holds primary keys of another type than "${meta.name}"'s ${pkType} key`);
  return c;
}
