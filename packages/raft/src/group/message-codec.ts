/**
 * Wire encoding of Raft {@link Message}s: a fixed binary layout in the spirit of etcd's `raftpb`
 * protobuf (go.etcd.io/raft, raftpb/raft.proto), hand-written because messages are the hottest
 * path of replication (a generic MessagePack codec cost a fifth of the simulator's time).
 *
 * Layout (little-endian; `f64` numbers hold safe integers ≥ 0; `u32` lengths):
 *
 *     version u8 (= 1) | type u8 (index in WIRE_TYPES) | flags u8 (1 reject, 2 transfer, 4 context, 8 snapshot)
 *     to f64 | from f64 | term f64 | logTerm f64 | index f64 | commit f64 | rejectHint f64
 *     entry count u32, then per entry: term f64 | index f64 | kind u8 (0 normal, 1 confChange) | length u32 | data
 *     [context]  length u32 | bytes
 *     [snapshot] index f64 | term f64 | voters u32 + f64 each | learners u32 + f64 each | length u32 | data
 *
 * Decoded byte fields (entry data, context, snapshot data) are views into the input buffer, not
 * copies: the transport must hand each receiver bytes nobody else modifies. Encoded messages of up
 * to 32 KiB are views into a shared slab (each its own region, `carveBytes`): read them through
 * `byteOffset` and `byteLength`, never through `.buffer` alone.
 */
import { carveBytes, invalidParameter, regionOf } from '@shoal/actors';
import type { Entry, Message, MessageTypeValue, NodeId, Snapshot } from '../types.ts';
import { MessageType } from '../types.ts';

const VERSION = 1;
/** Message types by wire code (append only: the code is the position). */
const WIRE_TYPES: readonly MessageTypeValue[] = Object.values(MessageType);
const TYPE_CODES = new Map<MessageTypeValue, number>(WIRE_TYPES.map((t, i) => [t, i]));
const HEADER_BYTES = 3 + 7 * 8 + 4;
const ENTRY_HEADER_BYTES = 8 + 8 + 1 + 4;


const FLAG_REJECT = 1;
const FLAG_TRANSFER = 2;
const FLAG_CONTEXT = 4;
const FLAG_SNAPSHOT = 8;

/**
 * Encodes a Raft message for a transport (layout in the module comment).
 * @throws ShoalError ParameterInvalid if a field is missing or not of its type (an unknown message
 *   type, a number that is not a safe integer ≥ 0, data that is not a Uint8Array).
 */
export function encodeMessage(msg: Message): Uint8Array {
  const code = TYPE_CODES.get(msg.type);
  if (code === undefined) throw invalidParameter(`encodeMessage: unknown message type ${String(msg.type)}`);
  checkNumber(msg.to, 'field to');
  checkNumber(msg.from, 'field from');
  checkNumber(msg.term, 'field term');
  checkNumber(msg.logTerm, 'field logTerm');
  checkNumber(msg.index, 'field index');
  checkNumber(msg.commit, 'field commit');
  checkNumber(msg.rejectHint, 'field rejectHint');
  if (!Array.isArray(msg.entries)) throw invalidParameter('encodeMessage: entries must be an array');
  let size = HEADER_BYTES;
  for (const e of msg.entries) {
    checkNumber(e.term, 'entry term');
    checkNumber(e.index, 'entry index');
    checkBytes(e.data, 'entry data');
    if (e.type !== 'normal' && e.type !== 'confChange') throw invalidParameter(`encodeMessage: entry type must be normal or confChange, got ${String(e.type)}`);
    size += ENTRY_HEADER_BYTES + e.data.byteLength;
  }
  if (msg.context !== undefined) size += 4 + checkBytes(msg.context, 'context').byteLength;
  const snap = msg.snapshot;
  if (snap !== undefined) {
    const { index, term, confState } = snap.metadata;
    checkNumber(index, 'snapshot index');
    checkNumber(term, 'snapshot term');
    for (const id of [...confState.voters, ...confState.learners]) checkNumber(id, 'snapshot member id');
    size += 16 + 4 + 8 * confState.voters.length + 4 + 8 * confState.learners.length + 4 + checkBytes(snap.data, 'snapshot data').byteLength;
  }
  // Small messages are carved out of a shared slab (@shoal/actors byte-slab.ts): a fresh small
  // buffer and a DataView over it cost ~10x the encoding itself.
  const c = carveBytes(size);
  writeMessage(msg, code, c.bytes, c.view, c.offset);
  return regionOf(c, size);
}

/** Writes `msg` (type code `code`, already validated) at offset `base` of `out` / `view`. */
function writeMessage(msg: Message, code: number, out: Uint8Array, view: DataView, base: number): void {
  const snap = msg.snapshot;
  out[base] = VERSION;
  out[base + 1] = code;
  out[base + 2] = (msg.reject ? FLAG_REJECT : 0) | (msg.transfer === true ? FLAG_TRANSFER : 0) |
    (msg.context !== undefined ? FLAG_CONTEXT : 0) | (snap !== undefined ? FLAG_SNAPSHOT : 0);
  view.setFloat64(base + 3, msg.to, true);
  view.setFloat64(base + 11, msg.from, true);
  view.setFloat64(base + 19, msg.term, true);
  view.setFloat64(base + 27, msg.logTerm, true);
  view.setFloat64(base + 35, msg.index, true);
  view.setFloat64(base + 43, msg.commit, true);
  view.setFloat64(base + 51, msg.rejectHint, true);
  let off = base + 59;
  view.setUint32(off, msg.entries.length, true);
  off += 4;
  for (const e of msg.entries) {
    view.setFloat64(off, e.term, true);
    view.setFloat64(off + 8, e.index, true);
    out[off + 16] = e.type === 'normal' ? 0 : 1;
    view.setUint32(off + 17, e.data.byteLength, true);
    out.set(e.data, off + ENTRY_HEADER_BYTES);
    off += ENTRY_HEADER_BYTES + e.data.byteLength;
  }
  if (msg.context !== undefined) off = putBytes(out, view, off, msg.context);
  if (snap !== undefined) {
    view.setFloat64(off, snap.metadata.index, true);
    view.setFloat64(off + 8, snap.metadata.term, true);
    off = putIds(view, off + 16, snap.metadata.confState.voters);
    off = putIds(view, off, snap.metadata.confState.learners);
    off = putBytes(out, view, off, snap.data);
  }
}

/**
 * Decodes bytes from {@link encodeMessage}; byte fields are views into `bytes`. `RaftNode.step`
 * checks the rest (sender id, addressee, local-only types).
 * @throws ShoalError ParameterInvalid if the bytes are not an encoded Raft message (wrong version,
 *   unknown type, truncated, trailing bytes, a number that is not a safe integer ≥ 0).
 */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw invalidParameter(`decodeMessage: unknown encoding version ${version} (expected ${VERSION})`);
  const type = WIRE_TYPES[r.u8()];
  if (type === undefined) throw invalidParameter(`decodeMessage: unknown message type code ${bytes[1]}`);
  const flags = r.u8();
  const m: Message = {
    type, to: r.num('to'), from: r.num('from'), term: r.num('term'), logTerm: r.num('logTerm'), index: r.num('index'),
    commit: r.num('commit'), rejectHint: r.num('rejectHint'), entries: [], reject: (flags & FLAG_REJECT) !== 0,
  };
  if ((flags & FLAG_TRANSFER) !== 0) m.transfer = true;
  const n = r.u32();
  if (n > (bytes.byteLength - r.off) / ENTRY_HEADER_BYTES) throw invalidParameter(`decodeMessage: ${n} entries cannot fit in ${bytes.byteLength} bytes`);
  for (let i = 0; i < n; i++) {
    const term = r.num('entry term');
    const index = r.num('entry index');
    const kind = r.u8();
    if (kind > 1) throw invalidParameter(`decodeMessage: entry kind must be 0 or 1, got ${kind}`);
    const e: Entry = { term, index, type: kind === 0 ? 'normal' : 'confChange', data: r.bytes() };
    m.entries.push(e);
  }
  if ((flags & FLAG_CONTEXT) !== 0) m.context = r.bytes();
  if ((flags & FLAG_SNAPSHOT) !== 0) {
    const index = r.num('snapshot index');
    const term = r.num('snapshot term');
    const voters = r.ids();
    const learners = r.ids();
    const snapshot: Snapshot = { metadata: { index, term, confState: { voters, learners } }, data: r.bytes() };
    m.snapshot = snapshot;
  }
  if (r.off !== bytes.byteLength) throw invalidParameter(`decodeMessage: ${bytes.byteLength - r.off} trailing bytes after the message`);
  return m;
}

function checkNumber(v: unknown, what: string): void {
  if (!Number.isSafeInteger(v) || (v as number) < 0) {
    throw invalidParameter(`encodeMessage: ${what} must be a safe integer ≥ 0, got ${String(v)}`);
  }
}

function checkBytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw invalidParameter(`encodeMessage: ${what} must be a Uint8Array`);
  return v;
}

function putBytes(out: Uint8Array, view: DataView, off: number, data: Uint8Array): number {
  view.setUint32(off, data.byteLength, true);
  out.set(data, off + 4);
  return off + 4 + data.byteLength;
}

function putIds(view: DataView, off: number, ids: readonly NodeId[]): number {
  view.setUint32(off, ids.length, true);
  let o = off + 4;
  for (const id of ids) { view.setFloat64(o, id, true); o += 8; }
  return o;
}

/** A bounds-checked cursor over encoded bytes. */
class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  off = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number): void {
    if (this.off + n > this.#bytes.byteLength) {
      throw invalidParameter(`decodeMessage: truncated message (${this.#bytes.byteLength} bytes; needed ${n} more at offset ${this.off})`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.off++];
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.off, true);
    this.off += 4;
    return v;
  }

  num(what: string): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.off, true);
    this.off += 8;
    if (!Number.isSafeInteger(v) || v < 0) throw invalidParameter(`decodeMessage: ${what} must be a safe integer ≥ 0, got ${v}`);
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    this.#need(n);
    const b = this.#bytes.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }

  ids(): NodeId[] {
    const n = this.u32();
    if (n > (this.#bytes.byteLength - this.off) / 8) throw invalidParameter(`decodeMessage: ${n} member ids cannot fit in the message`);
    const ids: NodeId[] = [];
    for (let i = 0; i < n; i++) ids.push(this.num('member id'));
    return ids;
  }
}
