import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler.ts';
import { SimClock, SimTimers } from '../src/sim-clock.ts';

describe('SimClock', () => {
  it('drifts at its rate, stays continuous when the drift changes, and jumps only the wall clock', async () => {
    const s = new Scheduler();
    const c = new SimClock(s, 1_000_000, 10_000); // +1 %
    await s.runUntil(1000);
    expect(c.monotonicMs()).toBeCloseTo(1010, 9);
    c.setDrift(-20_000); // -2 %
    expect(c.monotonicMs()).toBeCloseTo(1010, 9);
    await s.runUntil(2000);
    expect(c.monotonicMs()).toBeCloseTo(1010 + 980, 9);
    const mono = c.monotonicMs();
    c.jump(-5000);
    expect(c.monotonicMs()).toBe(mono);
    expect(c.nowMs()).toBeCloseTo(1_000_000 - 5000 + mono, 9);
    expect(() => c.setDrift(200_000)).toThrow(RangeError);
  });

  it('runs timers in the node\'s local time and cancels them all when killed', async () => {
    const s = new Scheduler();
    const fast = new SimClock(s, 0, 50_000); // local time runs 5 % fast: 105 local ms pass in 100 virtual ms
    const t = new SimTimers(s, fast);
    const fired: number[] = [];
    t.set(105, () => fired.push(s.nowMs));
    const cleared = t.set(1, () => fired.push(-1));
    t.clear(cleared);
    let slept = false;
    void t.sleep(300).then(() => {
      slept = true;
    });
    await s.runUntil(150);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeCloseTo(100, 9);
    t.kill();
    t.set(1, () => fired.push(-2));
    await s.runUntil(1000);
    expect(fired).toHaveLength(1);
    expect(slept).toBe(false);
    expect(s.pending).toBe(0);
  });
});
