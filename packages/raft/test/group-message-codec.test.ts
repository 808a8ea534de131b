import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { MessageType, decodeMessage, encodeMessage, message } from '../src/index.ts';
import type { Entry, Message, MessageTypeValue } from '../src/index.ts';

const num = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const small = fc.integer({ min: 0, max: 1000 });
const bytes = fc.uint8Array({ maxLength: 40 });
const entry: fc.Arbitrary<Entry> = fc.record({ term: small, index: num, type: fc.constantFrom('normal' as const, 'confChange' as const), data: bytes });
const arbMessage: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom(...(Object.values(MessageType) as MessageTypeValue[])),
  to: small, from: small, term: num, logTerm: small, index: num, commit: num, rejectHint: small, reject: fc.boolean(),
  entries: fc.array(entry, { maxLength: 5 }),
  context: fc.option(bytes, { nil: undefined }),
  transfer: fc.option(fc.constant(true), { nil: undefined }),
  snapshot: fc.option(fc.record({
    metadata: fc.record({ index: num, term: small, confState: fc.record({ voters: fc.array(small, { maxLength: 5 }), learners: fc.array(small, { maxLength: 3 }) }) }),
    data: bytes,
  }), { nil: undefined }),
}, { requiredKeys: ['type', 'to', 'from', 'term', 'logTerm', 'index', 'commit', 'rejectHint', 'reject', 'entries'] });

function errorOf(f: () => unknown): ShoalError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(ShoalError); return e as ShoalError; }
  throw new Error('expected an error');
}

describe('encodeMessage / decodeMessage', () => {
  it('round-trips every message exactly, byte fields as Uint8Array', () => {
    fc.assert(fc.property(arbMessage, (m) => {
      const back = decodeMessage(encodeMessage(m));
      expect(back).toEqual(m);
      for (const e of back.entries) expect(e.data).toBeInstanceOf(Uint8Array);
    }), { numRuns: 500 });
  });

  it('a heartbeat is small', () => {
    expect(encodeMessage(message({ type: MessageType.Heartbeat, to: 2, from: 1, term: 7, commit: 9 })).byteLength).toBe(63);
  });

  it('rejects every truncation and trailing bytes', () => {
    const full = encodeMessage(message({
      type: MessageType.Snap, to: 2, from: 1, term: 3, entries: [{ term: 1, index: 1, type: 'normal', data: new Uint8Array([1, 2]) }],
      context: new Uint8Array([5]), snapshot: { metadata: { index: 4, term: 2, confState: { voters: [1, 2], learners: [3] } }, data: new Uint8Array([9]) },
    }));
    for (let n = 0; n < full.byteLength; n++) expect(errorOf(() => decodeMessage(full.subarray(0, n))).code).toBe(ErrorCode.ParameterInvalid);
    const longer = new Uint8Array(full.byteLength + 1);
    longer.set(full);
    expect(errorOf(() => decodeMessage(longer)).message).toMatch(/1 trailing bytes/);
  });

  it('rejects a wrong version, an unknown type, a bad number and a huge count with clear errors', () => {
    const hb = encodeMessage(message({ type: MessageType.Heartbeat, to: 2, from: 1, term: 1 }));
    const v = hb.slice(); v[0] = 9;
    expect(errorOf(() => decodeMessage(v)).message).toMatch(/version 9/);
    const t = hb.slice(); t[1] = 200;
    expect(errorOf(() => decodeMessage(t)).message).toMatch(/type code 200/);
    const neg = hb.slice(); new DataView(neg.buffer).setFloat64(3, -1, true);
    expect(errorOf(() => decodeMessage(neg)).message).toMatch(/to must be a safe integer/);
    const many = hb.slice(); new DataView(many.buffer).setUint32(59, 0xffffffff, true);
    expect(errorOf(() => decodeMessage(many)).message).toMatch(/entries cannot fit/);
  });

  it('refuses to encode malformed messages', () => {
    expect(errorOf(() => encodeMessage({ type: 'app' } as Message)).message).toMatch(/field to must be a safe integer/);
    expect(errorOf(() => encodeMessage({ ...message({ type: MessageType.App }), type: 'nope' } as unknown as Message)).message).toMatch(/unknown message type/);
    const bad = message({ type: MessageType.App, entries: [{ term: 1, index: 1, type: 'normal', data: [1] as unknown as Uint8Array }] });
    expect(errorOf(() => encodeMessage(bad)).message).toMatch(/entry data must be a Uint8Array/);
  });
});
