/**
 * Wire encoding of Raft {@link Message}s: MessagePack through the `@shoal/actors` codec, which
 * round-trips `Uint8Array` entry data, contexts and snapshot data exactly (msgpackr's default
 * `pack()` would not: STACK.md trap).
 */
import { decode, encode, invalidParameter } from '@shoal/actors';
import type { Message } from '../types.ts';

/** Encodes a Raft message to bytes for a transport. @throws Error if the message holds unencodable values. */
export function encodeMessage(msg: Message): Uint8Array {
  return encode(msg);
}

/**
 * Decodes bytes from {@link encodeMessage}. Checks the shape (type string, numeric ids/term/
 * indexes, entries array with Uint8Array data); `RaftNode.step` checks the rest.
 * @throws ShoalError ParameterInvalid if the bytes are not an encoded Raft message.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  let v: unknown;
  try {
    v = decode(bytes);
  } catch (err) {
    throw invalidParameter(`decodeMessage: not a MessagePack value (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof v !== 'object' || v === null) throw invalidParameter('decodeMessage: a Raft message must be an object');
  const m = v as Message;
  for (const k of ['to', 'from', 'term', 'logTerm', 'index', 'commit', 'rejectHint'] as const) {
    if (typeof m[k] !== 'number') throw invalidParameter(`decodeMessage: field ${k} must be a number, got ${typeof m[k]}`);
  }
  if (typeof m.type !== 'string') throw invalidParameter('decodeMessage: field type must be a string');
  if (typeof m.reject !== 'boolean') throw invalidParameter('decodeMessage: field reject must be a boolean');
  if (!Array.isArray(m.entries) || m.entries.some((e) => typeof e !== 'object' || e === null || !(e.data instanceof Uint8Array))) {
    throw invalidParameter('decodeMessage: entries must be an array of entries with Uint8Array data');
  }
  if (m.context !== undefined && !(m.context instanceof Uint8Array)) throw invalidParameter('decodeMessage: context must be a Uint8Array');
  if (m.snapshot !== undefined && !(m.snapshot.data instanceof Uint8Array)) throw invalidParameter('decodeMessage: snapshot.data must be a Uint8Array');
  return m;
}
