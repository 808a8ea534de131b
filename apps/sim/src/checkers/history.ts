/**
 * Client histories of the simulator's replicated key-value store: what the simulator records
 * for each client operation so that {@link checkLinearizability} (./linearizability.ts) can
 * judge it. The model follows Herlihy & Wing, "Linearizability: A Correctness Condition for
 * Concurrent Objects" (TOPLAS 1990): each operation has an invocation and a response, and an
 * operation whose response never arrived (timeout, client or server crash) is "pending": it may
 * or may not have taken effect, at any moment after its invocation (Knossos's `:info` ops).
 */

/** A key-value operation as the client issued it. Keys and values are strings. */
export type KvInput =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'get'; readonly key: string }
  /** Appends `value` to the key's current string value (absent counts as the empty string). */
  | { readonly kind: 'append'; readonly key: string; readonly value: string }
  /** Compare-and-set: sets `value` iff the current value equals `expected` (`null` = absent). */
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/**
 * How the operation ended:
 * - `ok`: the store answered; `value` is the read result for `get` (`null` = key absent),
 *   `succeeded` is the outcome for `cas`; put/append carry neither.
 * - `fail`: the store answered that the operation definitely did NOT take effect (e.g. rejected
 *   before proposal). Such ops are ignored by the linearizability check.
 * - `unknown`: no answer (timeout, crash): may have taken effect at any time after `invokeAt`.
 */
export type KvOutcome =
  | { readonly status: 'ok'; readonly returnAt: number; readonly value?: string | null; readonly succeeded?: boolean }
  | { readonly status: 'fail'; readonly returnAt: number }
  | { readonly status: 'unknown' };

/**
 * One recorded client operation. `id` is unique within the history; `client` names the issuing
 * client (for messages); `invokeAt` and `returnAt` are simulated milliseconds.
 */
export interface ClientOp {
  readonly id: number;
  readonly client: string;
  readonly input: KvInput;
  readonly invokeAt: number;
  readonly outcome: KvOutcome;
}

/** True for operations that may change the stored value (put, append, cas). */
export function isWrite(input: KvInput): boolean {
  return input.kind !== 'get';
}

/** Renders an operation for violation messages, e.g. `op #7 (client c2: get("x") → "a", 10–12 ms)`. */
export function describeOp(op: ClientOp): string {
  const i = op.input;
  const call = i.kind === 'get' ? `get(${JSON.stringify(i.key)})`
    : i.kind === 'cas' ? `cas(${JSON.stringify(i.key)}, ${JSON.stringify(i.expected)} → ${JSON.stringify(i.value)})`
      : `${i.kind}(${JSON.stringify(i.key)}, ${JSON.stringify(i.value)})`;
  const o = op.outcome;
  let result: string;
  if (o.status === 'unknown') result = ' → unknown outcome';
  else if (o.status === 'fail') result = ' → failed';
  else if (i.kind === 'get') result = ` → ${o.value === null || o.value === undefined ? 'absent' : JSON.stringify(o.value)}`;
  else if (i.kind === 'cas') result = ` → ${o.succeeded ? 'succeeded' : 'failed comparison'}`;
  else result = ' → ok';
  const span = o.status === 'unknown' ? `invoked ${op.invokeAt} ms, never returned` : `${op.invokeAt}–${o.returnAt} ms`;
  return `op #${op.id} (client ${op.client}: ${call}${result}, ${span})`;
}
