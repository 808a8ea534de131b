import type { Message, NodeId } from './types.ts';

/** A pending read-index request (etcd raft `readIndexStatus`). */
export interface ReadIndexStatus {
  req: Message;
  index: number;
  acks: Set<NodeId>;
}

/**
 * Read-index requests awaiting a heartbeat quorum (etcd raft read_only.go, ReadOnlySafe; Raft
 * thesis §6.4): the leader records its commit index, sends a heartbeat carrying the request
 * context, and once a quorum acknowledges, the read is linearizable at that index.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Registers request `m` (its `context` is the id) at commit `index`; duplicates are ignored. */
  addRequest(index: number, m: Message): void {
    const key = contextKey(m.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { req: m, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat acknowledgement; returns the acks so far (undefined if unknown). */
  recvAck(id: NodeId, context: Uint8Array | undefined): Set<NodeId> | undefined {
    const rs = this.pending.get(contextKey(context));
    if (!rs) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Removes and returns every request queued up to and including the one with `context`. */
  advance(context: Uint8Array | undefined): ReadIndexStatus[] {
    const key = contextKey(context);
    const i = this.queue.indexOf(key);
    if (i < 0) return [];
    const done = this.queue.slice(0, i + 1);
    this.queue = this.queue.slice(i + 1);
    return done.map((k) => {
      const rs = this.pending.get(k) as ReadIndexStatus;
      this.pending.delete(k);
      return rs;
    });
  }

  /** Context of the latest pending request (sent with each heartbeat), if any. */
  lastPendingContext(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1])?.req.context;
  }
}

function contextKey(ctx: Uint8Array | undefined): string {
  if (!ctx) return '';
  let s = '';
  for (const b of ctx) s += b.toString(16).padStart(2, '0');
  return s;
}
