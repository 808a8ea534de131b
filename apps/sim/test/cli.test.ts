import { describe, expect, it } from 'vitest';
import { parseCommand, replayCommand, runCommand } from '../src/cli.ts';
import { checkMutation, parseDuration, parseSeedRange } from '../src/options.ts';
import { commandLineSystem } from '../src/system-registry.ts';
import { primaryKv } from './helpers/primary-kv.ts';

describe('shoal-sim command line', () => {
  it('parses options with their defaults', () => {
    expect(parseCommand([])).toEqual({ seeds: [1, 1], swarm: false, nodes: 5, durationMs: 30_000, healMs: 10_000, mutation: undefined, trace: false });
    expect(parseCommand(['--seeds', '3..9', '--swarm', '--nodes', '3', '--duration', '1.5m', '--heal', '250ms', '--mutate', 'x', '--trace']))
      .toEqual({ seeds: [3, 9], swarm: true, nodes: 3, durationMs: 90_000, healMs: 250, mutation: 'x', trace: true });
  });

  it('rejects bad values with a message naming the option', () => {
    expect(() => parseCommand(['--seed', '-3'])).toThrow(/--seed must be an integer/);
    expect(() => parseCommand(['--seeds', '9..3'])).toThrow(/--seeds: the range 9\.\.3 is empty/);
    expect(() => parseCommand(['--seeds', '1-3'])).toThrow(/--seeds must be a range A\.\.B/);
    expect(() => parseCommand(['--seed', '1', '--seeds', '1..2'])).toThrow(/either --seed or --seeds/);
    expect(() => parseCommand(['--nodes', '0'])).toThrow(/--nodes must be an integer in \[1, 64\]/);
    expect(() => parseCommand(['--duration', '10 parsecs'])).toThrow(/--duration must be a duration/);
    expect(() => parseCommand(['--bogus'])).toThrow(/unknown option/);
    expect(parseDuration('--heal', '2')).toBe(2000);
    expect(parseSeedRange('--seeds', '0..0')).toEqual([0, 0]);
  });

  it('tests the Raft key-value store, whose mutations --mutate accepts', () => {
    expect(commandLineSystem().name).toBe('raft-kv');
    expect(() => checkMutation(commandLineSystem(), 'stale-read')).not.toThrow();
  });

  it('rejects an unknown mutation, listing the known ones', async () => {
    await expect(runCommand(parseCommand(['--mutate', 'nope']), primaryKv, () => {})).rejects.toThrow(/unknown mutation "nope"; known mutations: no-fsync/);
  });

  it('runs a seed range, reports seeds per second, and on failure prints the trace tail and a one-line replay command', async () => {
    let out = '';
    const ok = await runCommand(parseCommand(['--seeds', '1..2', '--duration', '5s', '--heal', '2s']), primaryKv, (t) => {
      out += t;
    });
    expect(ok).toBe(0);
    expect(out).toMatch(/^seed 1 ok events=\d+ ops=\d+ trace=[0-9a-f]{16}\nseed 2 ok .*\n2 seed\(s\) in [\d.]+ s: [\d.]+ seeds\/s\n$/);

    out = '';
    const cmd = parseCommand(['--seeds', '1..6', '--mutate', 'no-fsync']);
    expect(await runCommand(cmd, primaryKv, (t) => {
      out += t;
    })).toBe(1);
    const seed = Number(/FAILURE \(seed (\d+)\)/.exec(out)?.[1]);
    expect(out).toContain('last trace lines:');
    expect(out).toContain(`\nreplay: npx node apps/sim/src/bin.ts --seed ${seed} --mutate no-fsync\n`);
    expect(replayCommand({ ...cmd, swarm: true, nodes: 3, durationMs: 1500, healMs: 0 }, 7))
      .toBe('npx node apps/sim/src/bin.ts --seed 7 --swarm --mutate no-fsync --nodes 3 --duration 1500ms --heal 0ms');

    let replayed = '';
    expect(await runCommand({ ...cmd, seeds: [seed, seed] }, primaryKv, (t) => {
      replayed += t;
    })).toBe(1);
    const line = (s: string) => s.split('\n').find((l) => l.startsWith(`seed ${seed} FAILED`));
    expect(line(replayed)).toBe(line(out));
  });
});
