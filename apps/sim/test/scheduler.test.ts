import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler.ts';

describe('Scheduler', () => {
  it('runs events by time, then by insertion order, and advances the virtual clock', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(5, () => seen.push(`b@${s.nowMs}`));
    s.at(1, () => seen.push(`a@${s.nowMs}`));
    s.at(5, () => seen.push(`c@${s.nowMs}`));
    s.at(5, () => s.after(0, () => seen.push(`d@${s.nowMs}`)));
    s.at(11, () => seen.push('late'));
    expect(await s.runUntil(10)).toBe(5);
    expect(seen).toEqual(['a@1', 'b@5', 'c@5', 'd@5']);
    expect(s.nowMs).toBe(10);
    expect(s.pending).toBe(1);
  });

  it('cancels events and lets each event\'s promise chains settle before the next event', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    const h = s.at(2, () => seen.push('cancelled'));
    s.at(1, () => {
      void Promise.resolve().then(() => Promise.resolve()).then(() => seen.push(`chain@${s.nowMs}`));
    });
    s.at(1, () => seen.push(`second@${s.nowMs}`));
    s.cancel(h);
    s.cancel(h);
    await s.runUntil(3);
    expect(seen).toEqual(['chain@1', 'second@1']);
  });

  it('rejects times in the past and bad delays', async () => {
    const s = new Scheduler();
    await s.runUntil(10);
    expect(() => s.at(9, () => {})).toThrow(RangeError);
    expect(() => s.after(-1, () => {})).toThrow(RangeError);
    expect(() => s.after(Number.NaN, () => {})).toThrow(RangeError);
    await expect(s.runUntil(5)).rejects.toThrow(RangeError);
  });

  it('propagates an exception thrown by an event with the clock at its time', async () => {
    const s = new Scheduler();
    s.at(4, () => {
      throw new Error('boom');
    });
    await expect(s.runUntil(10)).rejects.toThrow('boom');
    expect(s.nowMs).toBe(4);
  });
});

describe('Scheduler microtask draining', () => {
  it('settles an arbitrarily deep promise chain of an event before the next event runs', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    for (let e = 0; e < 200; e++) {
      s.at(1 + e, () => {
        void (async () => {
          for (let i = 0; i < 3_000; i++) await Promise.resolve();
          seen.push(`chain${e}@${s.nowMs}`);
        })();
      });
      s.at(1 + e, () => seen.push(`next${e}@${s.nowMs}`));
    }
    expect(await s.runUntil(1_000)).toBe(400);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, e) => [`chain${e}@${1 + e}`, `next${e}@${1 + e}`]).flat());
  });

  it('lets Node report an unhandled rejection before runUntil settles', async () => {
    const s = new Scheduler();
    const reported: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      reported.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      s.at(5, () => {
        void Promise.reject(new Error('lost'));
      });
      for (let i = 0; i < 300; i++) s.at(6 + i, () => {});
      await s.runUntil(1_000);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(reported.map((r) => (r as Error).message)).toEqual(['lost']);
  });
});

describe('Scheduler queue', () => {
  it('runs 5 000 events at random (often equal) times in (time, insertion) order, skipping cancelled ones', async () => {
    const s = new Scheduler();
    let x = 12345;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    const expected: Array<[number, number]> = [];
    const seen: Array<[number, number]> = [];
    const handles = [];
    for (let i = 0; i < 5_000; i++) {
      const t = rand(300);
      handles.push(s.at(t, () => seen.push([t, i])));
      expected.push([t, i]);
    }
    const cancelled = new Set<number>();
    for (let k = 0; k < 700; k++) {
      const i = rand(5_000);
      s.cancel(handles[i]);
      cancelled.add(i);
    }
    s.cancel({ id: 3 }); // not a handle of this scheduler: ignored
    expect(s.pending).toBe(5_000 - cancelled.size);
    expect(await s.runUntil(1_000)).toBe(5_000 - cancelled.size);
    const want = expected.filter(([, i]) => !cancelled.has(i)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(seen).toEqual(want);
    expect(s.pending).toBe(0);
    s.cancel(handles[0]); // already ran: a no-op
    expect(s.pending).toBe(0);
  });
});
