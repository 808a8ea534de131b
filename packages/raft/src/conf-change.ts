import { invalidParameter } from '@shoal/actors';
import type { NodeId } from './types.ts';

/**
 * A single-server membership change (Raft thesis §4.1), carried as the data of a `confChange`
 * entry and applied by the application via `RaftNode.applyConfChange` once committed:
 * `addNode` adds a voter (or promotes a learner), `addLearner` adds a learner (or demotes a
 * voter), `removeNode` removes a member.
 */
export interface ConfChange {
  type: 'addNode' | 'addLearner' | 'removeNode';
  nodeId: NodeId;
}

const TYPES: readonly ConfChange['type'][] = ['addNode', 'addLearner', 'removeNode'];

/** Encodes a {@link ConfChange} as 9 bytes: type (u8: 0 add, 1 learner, 2 remove) + node id (f64 LE). */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  validate(cc);
  const out = new Uint8Array(9);
  out[0] = TYPES.indexOf(cc.type);
  new DataView(out.buffer).setFloat64(1, cc.nodeId, true);
  return out;
}

/**
 * Decodes {@link encodeConfChange}'s bytes.
 * @throws ShoalError ParameterInvalid if the bytes are not a valid encoding.
 */
export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.byteLength !== 9 || data[0] >= TYPES.length) {
    throw invalidParameter(`conf change entry: expected 9 bytes with type 0..2, got ${data.byteLength} bytes`);
  }
  const cc: ConfChange = { type: TYPES[data[0]], nodeId: new DataView(data.buffer, data.byteOffset).getFloat64(1, true) };
  validate(cc);
  return cc;
}

function validate(cc: ConfChange): void {
  if (!TYPES.includes(cc.type)) throw invalidParameter(`conf change: type must be one of ${TYPES.join(', ')}, got ${cc.type}`);
  if (!Number.isSafeInteger(cc.nodeId) || cc.nodeId <= 0) {
    throw invalidParameter(`conf change: nodeId must be a positive safe integer, got ${cc.nodeId}`);
  }
}
