import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { fakeEnv, flush } from '../../actors/test/helpers/fake-env.ts';
import { decodeMessage, encodeMessage, openRaftGroup } from '../src/index.ts';
import type { Entry, Message, RaftGroup, RaftStateMachine } from '../src/index.ts';

/** Applied payloads as text; the snapshot is their JSON. */
class Log implements RaftStateMachine {
  items: string[] = [];
  apply(entries: Entry[]): void {
    for (const e of entries) this.items.push(new TextDecoder().decode(e.data));
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.items));
  }
  restore(data: Uint8Array): void {
    this.items = JSON.parse(new TextDecoder().decode(data)) as string[];
  }
}

const IDS = [1, 2, 3];

describe('RaftGroup InstallSnapshot', () => {
  it('a follower whose reply to a snapshot is lost still catches up (the sent snapshot is reported to Raft)', async () => {
    const env = fakeEnv();
    const disk = new MemoryDisk();
    const groups = new Map<number, RaftGroup>();
    const sms = new Map<number, Log>();
    let queue: Message[] = [];
    let snapshotsSent = 0;
    let dropNextReplyOf: number | undefined;
    const open = async (id: number): Promise<void> => {
      const sm = new Log();
      groups.set(id, await openRaftGroup({
        env: { ...env, disk }, dir: `raft/${id}`, id, confState: { voters: IDS, learners: [] }, tickMs: 10, stateMachine: sm,
        transport: { send: (m) => queue.push(decodeMessage(encodeMessage(m))) },
      }));
      sms.set(id, sm);
    };
    const run = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 10) {
        await env.timers.advance(10);
        for (let round = 0; round < 50 && queue.length > 0; round++) {
          const batch = queue;
          queue = [];
          for (const m of batch) {
            if (m.type === 'snap') {
              snapshotsSent++;
              dropNextReplyOf = m.to;
            } else if (m.type === 'appResp' && m.from === dropNextReplyOf) {
              dropNextReplyOf = undefined; // the follower's answer to the snapshot is lost
              continue;
            }
            groups.get(m.to)?.receive(m);
          }
          await flush(30);
        }
      }
    };
    for (const id of IDS) await open(id);
    let leader: RaftGroup | undefined;
    for (let i = 0; i < 50 && leader === undefined; i++) {
      await run(50);
      leader = [...groups.values()].find((g) => g.status().state === 'leader');
    }
    if (leader === undefined) throw new Error('no leader elected');
    const lagging = IDS.find((id) => id !== leader.id) ?? 0;
    await groups.get(lagging)?.close();
    groups.delete(lagging);
    for (const s of ['a', 'b', 'c']) {
      void leader.propose(new TextEncoder().encode(s));
      await run(50);
    }
    await leader.compact();
    expect(leader.storage.firstIndex()).toBeGreaterThan(1);
    await open(lagging);
    await run(300);
    expect(snapshotsSent).toBeGreaterThan(0);
    void leader.propose(new TextEncoder().encode('d'));
    await run(300);
    expect(sms.get(lagging)?.items).toEqual(['a', 'b', 'c', 'd']);
    for (const g of groups.values()) await g.close();
  });
});
