/**
 * The search iterator (a Shoal extension of `entities/search`; docs/api.md, "Search iterator"):
 * pages through one query vector's hits best first, equal scores by primary key
 * (`comparePrimaryKeys`: Int64 numerically, VarChar by code point), with no cap on their number, in
 * ONE MVCC snapshot.
 *
 * As pymilvus's SearchIterator does over gRPC, each page after the first is made of range searches
 * (Milvus "Range Search"; `range.ts` of `@shoal/ann`) around the previous page's last hit, at
 * distance `d` with key `p`:
 * - the tie: the window holding exactly `d`, with `pk > p` and'ed to the filter (the rest of a run
 *   of equal distances, in key order); when it fills the page, that is the page;
 * - below: the window from `d` loosened by {@link SCORE_TOLERANCE} to just before `d`, the keys the
 *   cursor lists excluded (see below);
 * - beyond: the window from just after `d` to the caller's `radius` (or the widest finite one),
 *   the same keys excluded.
 * Their hits, merged and cut to the page size, are the page. A search keeps, of equal scores, rows
 * in storage order rather than by key, so the hits at a page's last distance are fetched again by
 * key when more share it than fit (`PageSearch.tie` narrows a key range until a search returns all
 * of it). So a run of equal distances of any length (BinaryVector HAMMING has at most dim + 1
 * distinct distances) is paged by primary key with a cursor of bounded size and pages of a few
 * searches each, never a list of every key returned at `d`.
 *
 * "Below" and the listed keys allow for a row's score differing in its last bits between two search
 * paths of one segment (an index's graph search and its exact scan of few passing rows compute in
 * different float32 orders; the added filters can switch a page from one to the other): a row
 * scored just beyond `d` on one page and just before it on the next is still returned, and the
 * hits returned with a score within twice the tolerance of `d` are listed in the cursor and
 * excluded, so such a row is not returned twice. Those at exactly `d` are listed only while at most
 * {@link MAX_TIE_KEYS}; a longer run is paged by key alone and its distance kept as a floor below
 * which "below" does not reach once passed. The others are listed up to {@link MAX_NEAR_KEYS}, past
 * which the page fails with a clear error. With FLAT (and any exact search: growing segments,
 * BIN_FLAT) the scores never differ and the pages concatenated equal one exact search; with an ANN
 * index they are as approximate as its range search, and a row of a run of more than
 * {@link MAX_TIE_KEYS} equal scores whose score differs between two pages may be skipped or come twice.
 *
 * The first page takes a fresh TSO timestamp as the snapshot; every page reads exactly at it
 * (shards wait until it is serviceable), so rows written during the iteration are never seen and
 * no row moves between pages. The cursor carries (collection id, snapshot timestamp, last
 * distance and key, the listed keys, the floor, hits left of `limit`), so any peer can serve the
 * next page and a cursor needs no closing. Old snapshots stay readable as for the query iterator
 * (query-iterator.ts). The keys go to the shards as filter template parameters (`exprParams`),
 * never spliced into the filter text.
 */
import { ErrorCode, invalidParameter, ShoalError } from '@shoal/actors';
import { smallerIsBetter } from '@shoal/ann';
import type { MetricType } from '@shoal/ann';
import { annsField, comparePrimaryKeys, primaryField } from '@shoal/shard';
import type { PrimaryKey } from '@shoal/shard';
import { metricOf } from './catalog.ts';
import type { CollectionMeta } from './catalog.ts';
import { decodeCursor, encodeCursor, keyKind, parseCursorKey } from './cursor.ts';
import { MAX_TOPK, search } from './data.ts';
import type { RouterContext } from './router-context.ts';
import { DEFAULT_ITERATOR_BATCH } from './service.ts';
import type { SearchHit, SearchIteratorRequest, SearchPage, SearchRequest } from './service.ts';

/** Relative tolerance between two scores of one row computed by different search paths (see the module comment). */
export const SCORE_TOLERANCE = 1e-5;

/**
 * Most hits a cursor lists as returned with a score near the last distance (see the module
 * comment); more makes the page fail with OperationNotSupported.
 */
export const MAX_NEAR_KEYS = 1000;

/**
 * Most hits at exactly the last distance a cursor lists (for the tolerance, as the near ones);
 * a longer run of equal distances is paged by primary key alone (see the module comment).
 */
export const MAX_TIE_KEYS = 100;

/** A hit listed in a cursor: primary key and score. */
interface NearHit {
  pk: PrimaryKey;
  score: number;
}

/** What a search iterator cursor carries (wire form version 1, cursor.ts). */
interface CursorState {
  /** Collection id: a cursor is only valid for the collection (incarnation) it was made for. */
  collectionId: number;
  /** The snapshot timestamp (hybrid TSO) fixed by the first page. */
  snapshotTs: bigint;
  /** The score of the last hit returned so far. */
  lastDistance: number;
  /** The primary key of the last hit returned so far. */
  lastPk: PrimaryKey;
  /** The hits returned so far with a score within twice the tolerance of `lastDistance`, but not at `floor`. */
  near: NearHit[];
  /**
   * The distance of a run of equal distances longer than {@link MAX_TIE_KEYS}, whose hits are not
   * listed; "below" windows stop above it once the iteration has passed it. Kept while within
   * twice the tolerance of `lastDistance`.
   */
  floor?: number;
  /** Hits left of the iteration's `limit`; undefined = no limit. */
  left?: number;
}

/**
 * Encodes a search iterator cursor as an opaque URL-safe string (cursor.ts, plus `d` distance,
 * `k` key kind, `pk` last key, `pks` listed keys, `s` their scores, `f` the floor if any).
 */
export function encodeSearchCursor(c: CursorState): string {
  const fields: Record<string, unknown> = { d: c.lastDistance, k: keyKind(c.lastPk), pk: String(c.lastPk), pks: c.near.map((e) => String(e.pk)), s: c.near.map((e) => e.score) };
  if (c.floor !== undefined) fields.f = c.floor;
  return encodeCursor(c, fields);
}

/**
 * Decodes a cursor made by {@link encodeSearchCursor}.
 * @throws ShoalError ParameterInvalid "malformed search iterator cursor" for anything else.
 */
export function decodeSearchCursor(text: unknown): CursorState {
  const env = decodeCursor(text, 'search iterator');
  const { d, k, pk, pks, s: scores, f } = env.json;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (!finite(d)) throw env.bad('no distance');
  const lastPk = parseCursorKey(k, pk);
  if (lastPk === undefined) throw env.bad('bad primary key');
  if (!Array.isArray(pks) || pks.length > MAX_NEAR_KEYS) throw env.bad('no key list');
  const keys = pks.map((p) => parseCursorKey(k, p));
  if (keys.some((x) => x === undefined)) throw env.bad('bad primary key');
  if (!Array.isArray(scores) || scores.length !== pks.length || !scores.every(finite)) throw env.bad('no scores');
  if (f !== undefined && !finite(f)) throw env.bad('bad floor');
  const near = keys.map((key, i) => ({ pk: key as PrimaryKey, score: scores[i] as number }));
  const state: CursorState = { collectionId: env.collectionId, snapshotTs: env.snapshotTs, lastDistance: d as number, lastPk, near };
  if (f !== undefined) state.floor = f as number;
  if (env.left !== undefined) state.left = env.left;
  return state;
}

/**
 * Serves one page of a search iterator (see the file comment and `SearchIteratorRequest`).
 * @throws ShoalError as `search`; ParameterInvalid for more than one query vector, a bad
 *   batchSize or limit, or a bad cursor (malformed, made for another collection, with a snapshot
 *   newer than now, or with keys of another type); OperationNotSupported when more than
 *   {@link MAX_NEAR_KEYS} hits to list have scores near the page's last distance.
 */
export async function searchPage(ctx: RouterContext, req: SearchIteratorRequest): Promise<SearchPage> {
  const meta = await ctx.loadedCollection(req.collectionName);
  if (!Array.isArray(req.data) || req.data.length !== 1) {
    throw invalidParameter(`a search iterator takes exactly one query vector, got ${Array.isArray(req.data) ? req.data.length : 'none'}`);
  }
  const batch = req.batchSize ?? DEFAULT_ITERATOR_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_TOPK) throw invalidParameter(`batchSize must be an integer in [1, ${MAX_TOPK}], got ${JSON.stringify(batch)}`);
  const nowTs = await ctx.tso();
  let first: { collectionId: number; snapshotTs: bigint; left?: number } | undefined;
  let state: CursorState | undefined;
  if (req.cursor === undefined || req.cursor === '') {
    first = { collectionId: meta.id, snapshotTs: nowTs };
    if (req.limit !== undefined) {
      if (!Number.isSafeInteger(req.limit) || req.limit < 1) throw invalidParameter(`limit of a search iterator (most hits in all) must be a positive integer, got ${JSON.stringify(req.limit)}`);
      first.left = req.limit;
    }
  } else {
    state = checkCursor(decodeSearchCursor(req.cursor), meta, nowTs);
  }
  const common = state ?? first!;
  const n = Math.min(batch, common.left ?? batch);
  const metric = metricOf(meta, annsField(meta.schema, req.annsField).name, req.searchParams?.metricType);
  const pages = new PageSearch(ctx, meta, req, metric, common.snapshotTs);
  const hits = state === undefined ? await firstHits(pages, n) : await nextHits(pages, state, n);
  const left = common.left === undefined ? undefined : common.left - hits.length;
  if (hits.length < n || left === 0) return { hits };
  const next = nextState(meta, metric, common, state, hits);
  if (left !== undefined) next.left = left;
  return { hits, cursor: encodeSearchCursor(next) };
}

/** The absolute tolerance of scores near `d`: {@link SCORE_TOLERANCE} × max(1, |d|). */
function tolerance(d: number): number {
  return SCORE_TOLERANCE * Math.max(1, Math.abs(d));
}

/** The smallest float64 above `x` (finite `x`). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return view.getFloat64(0);
}

/**
 * The cursor after a full page `hits` (best first): its last hit, the hits near it (those listed
 * before still near, and this page's), and the floor. The hits at exactly the last distance stay
 * listed while at most {@link MAX_TIE_KEYS}; past that they are dropped and the distance becomes
 * the floor (the tie then pages by key alone).
 * @throws ShoalError OperationNotSupported when more than {@link MAX_NEAR_KEYS} hits are near.
 */
function nextState(meta: CollectionMeta, metric: MetricType, common: { collectionId: number; snapshotTs: bigint }, prev: CursorState | undefined, hits: SearchHit[]): CursorState {
  const last = hits[hits.length - 1];
  const d = last.distance;
  const sign = smallerIsBetter(metric) ? 1 : -1;
  const within = (score: number) => sign * (d - score) <= 2 * Math.max(tolerance(d), tolerance(score));
  let floor = prev?.floor !== undefined && within(prev.floor) ? prev.floor : undefined;
  let near = (prev?.near ?? []).filter((e) => within(e.score));
  for (const h of hits) if (h.distance !== floor && within(h.distance)) near.push({ pk: h.id, score: h.distance });
  if (near.filter((e) => e.score === d).length > MAX_TIE_KEYS) {
    near = near.filter((e) => e.score !== d);
    floor = d;
  }
  if (near.length > MAX_NEAR_KEYS) {
    throw new ShoalError(ErrorCode.OperationNotSupported, `search iterator of "${meta.name}": the page ending at distance ${d} leaves ${near.length} hits ` +
      `returned at distances within ${2 * SCORE_TOLERANCE} (relative) of it, more than the ${MAX_NEAR_KEYS} a cursor lists; iterate with a larger ` +
      'batchSize, narrow it with a range window (radius/range_filter), or use an ordinary search');
  }
  const next: CursorState = { collectionId: common.collectionId, snapshotTs: common.snapshotTs, lastDistance: d, lastPk: last.id, near };
  if (floor !== undefined) next.floor = floor;
  return next;
}

/** A range window as heap keys (`range.ts`: key = score for distances, −score for similarities): `near <= key < far`. */
interface KeyWindow {
  near: number;
  far: number;
}

/** A condition and'ed to the caller's filter: its text and the template parameters it names. */
interface Clause {
  text: string;
  params: Record<string, unknown>;
}

/**
 * The searches of one page: range searches of the request's query vector in its snapshot, with
 * conditions and'ed to its filter (their values as template parameters under names the request
 * does not use).
 */
class PageSearch {
  private readonly ctx: RouterContext;
  private readonly req: SearchIteratorRequest;
  private readonly snapshotTs: bigint;
  /** 1 for distances, −1 for similarities. */
  readonly sign: 1 | -1;
  /** The request's own window as keys. */
  readonly own: KeyWindow;
  /** The primary key field's name. */
  private readonly pk: string;
  private readonly names = new Map<string, string>();

  constructor(ctx: RouterContext, meta: CollectionMeta, req: SearchIteratorRequest, metric: MetricType, snapshotTs: bigint) {
    this.ctx = ctx;
    this.req = req;
    this.snapshotTs = snapshotTs;
    this.sign = smallerIsBetter(metric) ? 1 : -1;
    const given = req.searchParams?.params ?? {};
    this.own = {
      near: given.range_filter === undefined ? -Infinity : this.sign * Number(given.range_filter),
      far: given.radius === undefined ? Number.MAX_VALUE : this.sign * Number(given.radius),
    };
    this.pk = primaryField(meta.schema).name;
  }

  /** A template parameter name for `base` that the request's own parameters do not use. */
  private param(base: string): string {
    let name = this.names.get(base);
    if (name === undefined) {
      const taken = this.req.filterParams ?? {};
      name = `shoal_iterator_${base}`;
      for (let i = 2; Object.hasOwn(taken, name); i++) name = `shoal_iterator_${base}${i}`;
      this.names.set(base, name);
    }
    return name;
  }

  /** `pk <op> value` as a clause. */
  keyClause(op: '>' | '<=' | 'not in', value: PrimaryKey | PrimaryKey[], base: string): Clause {
    const name = this.param(base);
    return { text: `(${this.pk} ${op} {${name}})`, params: { [name]: value } };
  }

  /** The request without the iterator's fields, with `clauses` and'ed to its filter and the window `w` (first page: undefined, the request's own). */
  body(clauses: readonly Clause[], w: KeyWindow | undefined, limit: number): SearchRequest {
    const { batchSize: _b, limit: _l, cursor: _c, ...rest } = this.req;
    const user = typeof rest.filter === 'string' && rest.filter.trim() !== '' ? [`(${rest.filter})`] : [];
    const filter = [...user, ...clauses.map((c) => c.text)].join(' and ');
    const filterParams = Object.assign({ ...rest.filterParams }, ...clauses.map((c) => c.params)) as Record<string, unknown>;
    const out: SearchRequest = { ...rest, limit };
    if (filter !== '') out.filter = filter;
    if (Object.keys(filterParams).length > 0) out.filterParams = filterParams as SearchRequest['filterParams'];
    if (w !== undefined) out.searchParams = { ...rest.searchParams, params: { ...rest.searchParams?.params, radius: this.sign * w.far, range_filter: this.sign * w.near } };
    return out;
  }

  /** The best `limit` hits in window `w` (the request's own when undefined) passing `clauses`; none for an empty window. */
  async search(w: KeyWindow | undefined, clauses: readonly Clause[], limit: number): Promise<SearchHit[]> {
    if (limit <= 0 || (w !== undefined && !(w.near < w.far))) return [];
    return (await search(this.ctx, this.body(clauses, w, limit), this.snapshotTs))[0];
  }

  /** The window holding exactly the score `score`. */
  exactly(score: number): KeyWindow {
    const key = this.sign * score;
    return { near: key, far: nextUp(key) };
  }

  /**
   * The hits at exactly `score` with a key after `after` (all when undefined) passing `clauses`:
   * the `want` smallest keys, ascending, or all of them when fewer. A search keeps, of equal scores,
   * rows by storage order, not by key, so the key range is narrowed until a search returns fewer
   * hits than it asked for, i.e. all the hits in the range: each narrowing keeps the smaller half
   * of the keys seen.
   */
  async tie(score: number, after: PrimaryKey | undefined, want: number, clauses: readonly Clause[]): Promise<SearchHit[]> {
    const out: SearchHit[] = [];
    const ask = Math.min(MAX_TOPK, 2 * want);
    let lo = after;
    while (out.length < want) {
      let hi: PrimaryKey | undefined;
      for (;;) {
        const range = [...clauses];
        if (lo !== undefined) range.push(this.keyClause('>', lo, 'after'));
        if (hi !== undefined) range.push(this.keyClause('<=', hi, 'upto'));
        const got = (await this.search(this.exactly(score), range, ask)).sort((a, b) => comparePrimaryKeys(a.id, b.id));
        if (got.length < ask) {
          out.push(...got.slice(0, want - out.length));
          if (hi === undefined) return out;
          lo = hi;
          break;
        }
        hi = got[(ask >> 1) - 1].id;
      }
    }
    return out;
  }

  /**
   * `candidates` (hits of searches for `n` + 1 or more) ordered best first, ties by key
   * (`comparePrimaryKeys`: the order of the `pk > after` the next page filters with) and cut to
   * `n`, with the hits at the cut's distance replaced by the smallest keys at that distance when
   * more hits share it than fit: a search keeps equal scores by storage order, and the next page
   * continues after the last key. At the previous page's last distance (`last`) they continue
   * after its key. Keeps the cut as it is when the tie search finds fewer (the scores of an ANN
   * index may differ between search paths).
   */
  async cut(candidates: SearchHit[], n: number, clauses: readonly Clause[], last?: { score: number; pk: PrimaryKey }): Promise<SearchHit[]> {
    candidates.sort((a, b) => this.sign * (a.distance - b.distance) || comparePrimaryKeys(a.id, b.id));
    if (candidates.length <= n) return candidates;
    const d = candidates[n - 1].distance;
    if (candidates[n].distance !== d) return candidates.slice(0, n);
    let k = n - 1;
    while (k > 0 && candidates[k - 1].distance === d) k--;
    const tie = await this.tie(d, last !== undefined && last.score === d ? last.pk : undefined, n - k, clauses);
    return tie.length === n - k ? [...candidates.slice(0, k), ...tie] : candidates.slice(0, n);
  }
}

/**
 * The hits of the first page: the best `n` of one search of the request, the last distance's hits
 * by smallest key.
 */
async function firstHits(s: PageSearch, n: number): Promise<SearchHit[]> {
  return s.cut(await s.search(undefined, [], n + 1), n, []);
}

/**
 * The hits of a page after the first (see the module comment): the tie at the last distance by
 * primary key, then below and beyond it with the listed keys excluded, merged best first, at most
 * `n`, the last distance's hits by smallest key.
 */
async function nextHits(s: PageSearch, state: CursorState, n: number): Promise<SearchHit[]> {
  const d = s.sign * state.lastDistance;
  const tie = await s.tie(state.lastDistance, state.lastPk, n, []);
  if (tie.length === n) return tie;
  const excluded = state.near.length > 0 ? [s.keyClause('not in', state.near.map((e) => e.pk), 'near')] : [];
  let belowNear = Math.max(s.own.near, d - tolerance(state.lastDistance));
  if (state.floor !== undefined && state.floor !== state.lastDistance) belowNear = Math.max(belowNear, nextUp(s.sign * state.floor));
  const below = await s.search({ near: belowNear, far: d }, excluded, n);
  const beyond = await s.search({ near: nextUp(d), far: s.own.far }, excluded, n - tie.length - below.length + 1);
  return s.cut([...below, ...tie, ...beyond], n, excluded, { score: state.lastDistance, pk: state.lastPk });
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
  if ((typeof c.lastPk === 'string') !== (pkType === 'VarChar')) throw invalidParameter(`search iterator cursor holds primary keys of another type than "${meta.name}"'s ${pkType} key`);
  return c;
}
