import type { Network, NodeId } from './env.ts';

/**
 * The {@link Network} of a single-node deployment: a message sent to this node itself is
 * delivered asynchronously (in a microtask, never inside `send`), in send order, as a private copy
 * of the bytes; a message to any other node is dropped, as an unreachable peer would be.
 * Messages that arrive before a handler is installed are dropped.
 */
export class LoopbackNetwork implements Network {
  /** This node's identity. */
  readonly self: NodeId;
  private handler: ((from: NodeId, bytes: Uint8Array) => void) | undefined;

  /** @param self the identity of this node, e.g. `local`. */
  constructor(self: NodeId) {
    this.self = self;
  }

  /** Sends `bytes` to `to`: delivered in a microtask if `to` is this node, else dropped. */
  send(to: NodeId, bytes: Uint8Array): void {
    if (to !== this.self) return;
    const copy = bytes.slice();
    queueMicrotask(() => this.handler?.(this.self, copy));
  }

  /** Installs the handler for incoming messages (replacing any previous one). */
  onMessage(handler: (from: NodeId, bytes: Uint8Array) => void): void {
    this.handler = handler;
  }
}
