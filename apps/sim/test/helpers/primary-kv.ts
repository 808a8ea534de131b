/**
 * A small system under test for the simulator's own tests: a single-copy key-value store on node
 * `n1` (the primary). Every node forwards client requests to `n1` over the simulated network;
 * `n1` logs each put to a checksummed log and fsyncs before applying and answering, and rebuilds
 * its map from the log on restart. It is linearizable, so runs under faults must pass; the
 * `no-fsync` mutation skips the fsync, so a crash loses acknowledged writes and the checker must
 * catch it.
 */
import type { KvInput } from '../../src/checkers/history.ts';
import type { KvReply, NodeContext, SimProcess, SystemUnderTest } from '../../src/system.ts';
import { RecordLog } from '../../src/record-log.ts';

type Message =
  | { type: 'req'; rid: string; input: KvInput }
  | { type: 'rep'; rid: string; reply: KvReply };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The primary-copy store; `mutations`: `no-fsync`. */
export const primaryKv: SystemUnderTest = {
  name: 'primary-kv',
  mutations: ['no-fsync'],
  start(ctx: NodeContext): SimProcess {
    const { env } = ctx;
    const primary = ctx.nodes[0];
    const waiting = new Map<string, (r: KvReply) => void>();
    let nextRid = 0;
    const send = (to: string, m: Message): void => env.network.send(to, enc.encode(JSON.stringify(m)));

    let queue: Promise<void> = Promise.resolve();
    const data = new Map<string, string>();
    /** Request ids (`from/rid`) already applied: the network duplicates messages. */
    const applied = new Set<string>();
    let log: RecordLog | undefined;
    if (ctx.id === primary) {
      queue = RecordLog.open(env.disk, 'kv.log').then(({ records, log: opened }) => {
        for (const r of records) {
          const { key, value, req } = JSON.parse(dec.decode(r)) as { key: string; value: string; req: string };
          data.set(key, value);
          applied.add(req);
        }
        log = opened;
      });
    }
    const apply = async (req: string, input: KvInput): Promise<KvReply> => {
      if (input.kind === 'get') return { status: 'ok', value: data.get(input.key) ?? null };
      if (input.kind !== 'put') return { status: 'fail', reason: `${input.kind} not supported` };
      if (applied.has(req)) return { status: 'ok' };
      if (log === undefined) throw new Error('log not open');
      await log.append(enc.encode(JSON.stringify({ key: input.key, value: input.value, req })));
      applied.add(req);
      if (ctx.mutation !== 'no-fsync') await log.sync();
      data.set(input.key, input.value);
      return { status: 'ok' };
    };

    env.network.onMessage((from, bytes) => {
      const m = JSON.parse(dec.decode(bytes)) as Message;
      if (m.type === 'rep') {
        waiting.get(m.rid)?.(m.reply);
        waiting.delete(m.rid);
      } else if (ctx.id === primary) {
        queue = queue.then(async () => send(from, { type: 'rep', rid: m.rid, reply: await apply(`${from}/${m.rid}`, m.input) }));
      }
    });
    return {
      request(input: KvInput): Promise<KvReply> {
        return new Promise((resolve) => {
          const rid = `${ctx.incarnation}.${nextRid++}`;
          waiting.set(rid, resolve);
          send(primary, { type: 'req', rid, input });
        });
      },
    };
  },
};
