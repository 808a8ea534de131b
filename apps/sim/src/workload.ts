/**
 * The workload: simulated clients issuing key-value operations, one at a time per client, each
 * with a timeout, and recording the history the checkers judge (Jepsen style: an operation
 * without an answer before its timeout has an unknown outcome). Like real Raft clients (Raft
 * paper §8), a client sends to the node that last answered it or that a failure reply named as
 * the leader, and to a random node when it knows none (at first, or after a timeout or a failure
 * without a hint).
 */
import type { Random } from '@shoal/actors';
import type { ClientOp, KvInput, KvOutcome } from './checkers/history.ts';
import type { SimCluster } from './cluster.ts';
import { chance, exponential, pick } from './random-tree.ts';
import type { Scheduler } from './scheduler.ts';
import type { KvReply } from './system.ts';
import type { Trace } from './trace.ts';

/** Parameters of the workload; times in virtual ms. */
export interface WorkloadOptions {
  /** Number of concurrent clients (≥ 1). */
  clients: number;
  /** Number of distinct keys (`k0` …); few keys make conflicts likely. */
  keys: number;
  /** Probability that an operation is a put (else a get). */
  putRate: number;
  /** Mean think time between a client's operations (exponential). */
  meanThinkMs: number;
  /** A client gives up on an operation after this long: outcome unknown. */
  timeoutMs: number;
  /** One-way latency between a client and a node. */
  clientLatencyMs: number;
}

/** Defaults: 3 clients, 3 keys, half puts, 50 ms think time, 1 s timeout, 0.5 ms latency. */
export const DEFAULT_WORKLOAD: WorkloadOptions = {
  clients: 3, keys: 3, putRate: 0.5, meanThinkMs: 50, timeoutMs: 1000, clientLatencyMs: 0.5,
};

/** The clients of one run and their recorded history. */
export class Workload {
  readonly #scheduler: Scheduler;
  readonly #random: Random;
  readonly #cluster: SimCluster;
  readonly #trace: Trace;
  readonly #opts: WorkloadOptions;
  readonly #history: ClientOp[] = [];
  /** Operations invoked and not yet returned, by id. */
  readonly #inFlight = new Map<number, ClientOp>();
  /** Each client's node to send to next (the last leader hint), if it has one. */
  readonly #target = new Map<string, string>();
  #nextOp = 1;
  #stopped = false;

  /** @throws RangeError if `clients` or `keys` is not a positive integer. */
  constructor(scheduler: Scheduler, random: Random, cluster: SimCluster, trace: Trace, opts: WorkloadOptions = DEFAULT_WORKLOAD) {
    for (const k of ['clients', 'keys'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new RangeError(`Workload: ${k} must be a positive integer, got ${opts[k]}`);
    }
    this.#scheduler = scheduler;
    this.#random = random;
    this.#cluster = cluster;
    this.#trace = trace;
    this.#opts = opts;
  }

  /** Starts every client's loop. */
  start(): void {
    for (let c = 1; c <= this.#opts.clients; c++) this.#next(`c${c}`);
  }

  /** No new operations from now on; operations in flight still complete or time out. */
  stop(): void {
    this.#stopped = true;
  }

  /** The history: completed operations in completion order, then the still pending ones as unknown. */
  history(): ClientOp[] {
    return [...this.#history, ...this.#inFlight.values()];
  }

  #next(client: string): void {
    this.#scheduler.after(exponential(this.#random, this.#opts.meanThinkMs), () => {
      if (!this.#stopped) this.#invoke(client);
    });
  }

  #invoke(client: string): void {
    const o = this.#opts;
    const r = this.#random;
    const id = this.#nextOp++;
    const key = `k${r.int(o.keys)}`;
    const input: KvInput = chance(r, o.putRate) ? { kind: 'put', key, value: `${client}-${id}` } : { kind: 'get', key };
    const node = this.#target.get(client) ?? pick(r, this.#cluster.ids);
    const invokeAt = this.#scheduler.nowMs;
    this.#trace.record(invokeAt, client, 'invoke', `#${id} ${describeInput(input)} at ${node}`);
    this.#inFlight.set(id, { id, client, input, invokeAt, outcome: { status: 'unknown' } });
    const finish = (outcome: KvOutcome, what: string, next: string | undefined): void => {
      if (!this.#inFlight.delete(id)) return;
      if (next === undefined) this.#target.delete(client);
      else this.#target.set(client, next);
      this.#scheduler.cancel(timeout);
      this.#history.push({ id, client, input, invokeAt, outcome });
      this.#trace.record(this.#scheduler.nowMs, client, 'return', `#${id} ${what}`);
      this.#next(client);
    };
    const timeout = this.#scheduler.after(o.timeoutMs, () => finish({ status: 'unknown' }, 'timeout', undefined));
    this.#scheduler.after(o.clientLatencyMs, () => {
      const process = this.#cluster.process(node);
      if (process === undefined) return; // the node is down: the request is lost, the client times out
      process.request(input, id).then(
        (reply) => this.#scheduler.after(o.clientLatencyMs,
          () => finish(toOutcome(reply, this.#scheduler.nowMs), describeReply(reply), reply.status === 'ok' ? node : reply.leader)),
        (err: unknown) => this.#scheduler.after(o.clientLatencyMs, () => finish({ status: 'unknown' }, `error ${String(err)}`, undefined)),
      );
    });
  }
}

function toOutcome(reply: KvReply, returnAt: number): KvOutcome {
  if (reply.status === 'fail') return { status: 'fail', returnAt };
  return { status: 'ok', returnAt, value: reply.value, succeeded: reply.succeeded };
}

function describeInput(i: KvInput): string {
  return i.kind === 'get' ? `get ${i.key}` : i.kind === 'cas' ? `cas ${i.key} ${i.expected}->${i.value}` : `${i.kind} ${i.key}=${i.value}`;
}

function describeReply(r: KvReply): string {
  if (r.status === 'fail') return `fail ${r.reason}${r.leader === undefined ? '' : ` (leader ${r.leader})`}`;
  return r.value !== undefined ? `ok ${r.value === null ? 'absent' : r.value}` : r.succeeded !== undefined ? `ok succeeded=${r.succeeded}` : 'ok';
}
