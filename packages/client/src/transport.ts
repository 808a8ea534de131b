/**
 * Sends Milvus RESTful v2 requests to one of several Shoal peers, failing over between them.
 *
 * Every peer of a Shoal cluster answers every request (DESIGN.md, "APIs"), so a request may go to
 * any of them. The transport keeps using the last peer that answered; when a peer cannot be
 * reached — connection refused or reset, DNS failure, no answer within `timeoutMs`, or a proxy's
 * 502/503/504 — it marks the peer down for {@link DOWN_COOLDOWN_MS} and sends the same request to
 * the next peer (peers marked down are tried last). An answer carrying a Milvus error code is
 * final: it is never retried elsewhere.
 *
 * Note: a request whose connection broke or timed out after it was sent may have been applied by
 * that peer; retrying it elsewhere gives at-least-once semantics. Upsert and delete are idempotent;
 * an insert with automatic ids may then be stored twice.
 */
import { ShoalClientError, UNEXPECTED_CODE, UNREACHABLE_CODE } from './errors.ts';
import { parseJson, toJson } from './json.ts';
import { realPlatform } from './node/platform.ts';
import type { ClientPlatform } from './node/platform.ts';

/** How long a peer that failed is tried only after the others, in ms. */
export const DOWN_COOLDOWN_MS = 5_000;
/** Default time limit of one attempt on one peer, in ms (the Milvus Node SDK's default). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** HTTP statuses that mean "this peer (or the proxy in front of it) cannot serve now". */
const RETRY_STATUSES = [502, 503, 504];

/** Options of {@link Transport}. */
export interface TransportOptions {
  /** Peer base URLs, e.g. `http://10.0.0.1:19530` (`http://` is added when no scheme is given). */
  address: string | string[];
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Time limit of one attempt on one peer, ms (default 60,000). */
  timeoutMs?: number;
  /** HTTP and clock (default: `realPlatform`, the global fetch and monotonic clock); tests may inject their own. */
  platform?: ClientPlatform;
}

/** A Milvus REST answer: `code` 0 with `data` (and extras such as `topks`), or an error. */
export interface RestAnswer {
  code: number;
  data?: unknown;
  message?: string;
  [extra: string]: unknown;
}

/** Normalizes a peer address to a base URL without a trailing slash. */
function baseUrl(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** A short reason for a failed attempt: the system error code (ECONNREFUSED…) or the message. */
function reason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** An attempt that could not reach the peer (the request goes to the next one). */
class Unreachable extends Error {}

/** See the file comment. */
export class Transport {
  /** Peer base URLs in the order given. */
  readonly peers: readonly string[];
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly platform: ClientPlatform;
  /** Index of the peer that answered last. */
  private current = 0;
  /** Per peer: time (platform ms) until which it is tried last. */
  private readonly downUntil: number[];

  /** Throws `ShoalClientError` (1100) when no address is given or `timeoutMs` is not positive. */
  constructor(opts: TransportOptions) {
    const list = (Array.isArray(opts.address) ? opts.address : [opts.address]).filter((a) => a.trim() !== '');
    if (list.length === 0) throw new ShoalClientError(1100, 'ShoalClient needs at least one peer address');
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
      throw new ShoalClientError(1100, `timeoutMs must be a positive number of milliseconds, got ${opts.timeoutMs}`);
    }
    this.peers = list.map(baseUrl);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.platform = opts.platform ?? realPlatform;
    this.downUntil = this.peers.map(() => -Infinity);
  }

  /** Peer indexes in the order to try now: the current one first, peers marked down last. */
  private order(now: number): number[] {
    const all = this.peers.map((_, k) => (this.current + k) % this.peers.length);
    return [...all.filter((i) => this.downUntil[i] <= now), ...all.filter((i) => this.downUntil[i] > now)];
  }

  /**
   * POSTs `body` to `path` (e.g. `/v2/vectordb/collections/list`) and returns the answer's `data`
   * together with the whole answer. Throws `ShoalClientError` with the server's code when the answer
   * has a non-zero code, {@link UNREACHABLE_CODE} when no peer answered, {@link UNEXPECTED_CODE}
   * when a peer answered something that is not a Milvus REST answer.
   */
  async call(path: string, body: Record<string, unknown>): Promise<RestAnswer> {
    const payload = toJson(body);
    const failures: string[] = [];
    for (const i of this.order(this.platform.nowMs())) {
      try {
        const answer = await this.attempt(this.peers[i], path, payload);
        this.current = i;
        this.downUntil[i] = -Infinity;
        if (answer.code !== 0) throw new ShoalClientError(answer.code, answer.message ?? `error code ${answer.code}`);
        return answer;
      } catch (e) {
        if (!(e instanceof Unreachable)) throw e;
        this.downUntil[i] = this.platform.nowMs() + DOWN_COOLDOWN_MS;
        failures.push(`${this.peers[i]}: ${e.message}`);
      }
    }
    throw new ShoalClientError(UNREACHABLE_CODE, `no Shoal peer could be reached for ${path} (${failures.join('; ')})`);
  }

  /** One attempt on one peer; throws `Unreachable` for failures that warrant another peer. */
  private async attempt(peer: string, path: string, payload: string): Promise<RestAnswer> {
    const url = peer + path;
    let status: number;
    let text: string;
    try {
      const res = await this.platform.fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Accept-Type-Allow-Int64': 'true',
          ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        },
        body: payload,
      }, this.timeoutMs);
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw new Unreachable(reason(e) === 'timed out' ? `no answer within ${this.timeoutMs} ms` : reason(e));
    }
    if (RETRY_STATUSES.includes(status)) throw new Unreachable(`HTTP ${status}`);
    let answer: unknown;
    try {
      answer = parseJson(text);
    } catch (e) {
      throw new ShoalClientError(UNEXPECTED_CODE, `${url} answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, e);
    }
    const code = (answer as { code?: unknown } | null)?.code;
    if (typeof code !== 'number') {
      throw new ShoalClientError(UNEXPECTED_CODE, `${url} answered HTTP ${status} without a Milvus result code: ${text.slice(0, 200)}`);
    }
    return answer as RestAnswer;
  }
}
