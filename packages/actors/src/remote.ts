import { decode, encode } from './codec.ts';
import { ErrorCode, ShoalError } from './errors.ts';
import type { ErrorCodeValue } from './errors.ts';

/**
 * The envelopes that carry actor messages between nodes, encoded with the codec (`./codec.ts`)
 * and sent through `Env.network`:
 * - `tell`: `msg` for the actor at path `to`;
 * - `ask`: the same, expecting a reply correlated by `id` and the asker's incarnation `inc` (a
 *   random number drawn when the asking actor system was created, so that a reply from before a
 *   restart of the asking node never matches a new ask that reuses its `id`);
 * - `ok`: the reply value of ask `id`; `err`: its error as a Milvus error code and a message.
 */
export type Envelope =
  | { readonly kind: 'tell'; readonly to: string; readonly msg: unknown }
  | { readonly kind: 'ask'; readonly to: string; readonly id: number; readonly inc: number; readonly msg: unknown }
  | { readonly kind: 'ok'; readonly id: number; readonly inc: number; readonly value: unknown }
  | { readonly kind: 'err'; readonly id: number; readonly inc: number; readonly code: number; readonly message: string };

/** Encodes an envelope. @throws Error from the codec if its message or value cannot be encoded. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encode(envelope);
}

/**
 * Decodes and validates an envelope received from the network.
 * @throws Error if `bytes` is not valid MessagePack or not a well-formed envelope.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const e = decode(bytes) as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null) throw new Error('actor envelope: not an object');
  const kind = e.kind;
  const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
  if (kind === 'tell' && typeof e.to === 'string') return e as Envelope;
  if (kind === 'ask' && typeof e.to === 'string' && isId(e.id) && isId(e.inc)) return e as Envelope;
  if (kind === 'ok' && isId(e.id) && isId(e.inc)) return e as Envelope;
  if (kind === 'err' && isId(e.id) && isId(e.inc) && typeof e.code === 'number' && typeof e.message === 'string') {
    return e as Envelope;
  }
  throw new Error(`actor envelope: malformed envelope of kind ${String(kind)}`);
}

/**
 * The wire form of an error given to a remote asker: a `ShoalError` keeps its code and message;
 * anything else becomes `ServiceInternal` with its message.
 */
export function errorToWire(err: unknown): { code: number; message: string } {
  if (err instanceof ShoalError) return { code: err.code, message: err.message };
  return { code: ErrorCode.ServiceInternal, message: err instanceof Error ? err.message : String(err) };
}

/** Rebuilds the `ShoalError` of an `err` envelope (an unknown code becomes `Unexpected`). */
export function errorFromWire(code: number, message: string): ShoalError {
  const known = (Object.values(ErrorCode) as number[]).includes(code);
  return new ShoalError(known ? (code as ErrorCodeValue) : ErrorCode.Unexpected, message);
}
