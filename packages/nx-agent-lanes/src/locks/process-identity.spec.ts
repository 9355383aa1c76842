import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deadPid, spawnLive, spawnZombie } from './__fixtures__/processes';
import { currentProcessIdentity, describeProcessIdentity, isProcessGroupRunning, isSameLiveProcess, parseProcStat, probeProcess, readProcessIdentity } from './process-identity';


describe('parseProcStat', () => {
  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    const rest = 'S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 18446744073709551615';
    expect(parseProcStat(`4242 (a) b (c) ${rest}`)).toEqual({ state: 'S', pgrp: 1, startTime: '98765' });
    expect(parseProcStat(`4242 (sleep) ${rest.replace(/^S 1 1/, 'Z 1 77')}`)).toEqual({ state: 'Z', pgrp: 77, startTime: '98765' });
    expect(parseProcStat('4242 (truncated) S 1')).toBeUndefined();
    expect(parseProcStat('')).toBeUndefined();
  });
});

describe('probeProcess', () => {
  it('knows this process by pid, start time and boot id', () => {
    const me = currentProcessIdentity();
    expect(me).toEqual({ pid: process.pid, startTime: expect.stringMatching(/^\d+$/), bootId: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() });
    expect(probeProcess(me)).toBe('live');
    expect(isSameLiveProcess(me)).toBe(true);
    expect(describeProcessIdentity(me)).toBe(`pid ${process.pid}, started at tick ${me.startTime} after boot`);
  });

  it('calls a killed process its parent has not reaped a zombie, not live', async () => {
    const zombie = await spawnZombie();
    try {
      const identity = readProcessIdentity(zombie.pid)!;
      expect(probeProcess(identity)).toBe('zombie');
      expect(isSameLiveProcess(identity)).toBe(false);
      expect(isSameLiveProcess({ pid: zombie.pid })).toBe(false);
    } finally {
      zombie.stop();
    }
  });

  it('tells a later process with the same pid from the recorded one, and a record from before a reboot', async () => {
    const other = await spawnLive();
    try {
      const identity = readProcessIdentity(other.pid)!;
      expect(probeProcess({ ...identity, startTime: '1' })).toBe('replaced');
      expect(probeProcess({ ...identity, bootId: 'another-boot' })).toBe('gone');
      // A record without a start time (written by an earlier version) trusts the pid.
      expect(probeProcess({ pid: other.pid })).toBe('live');
    } finally {
      other.stop();
    }
  });

  it('tells a process group with a running member from one of zombies only', async () => {
    const running = await spawnLive();
    const zombie = await spawnZombie();
    try {
      expect(isProcessGroupRunning(running.pid)).toBe(true);
      // The zombie's group is its parent's, which runs; once the parent is gone, nothing is left.
      expect(isProcessGroupRunning(deadPid())).toBe(false);
    } finally {
      running.stop();
      zombie.stop();
    }
  });

  it('calls an exited process gone', () => {
    expect(probeProcess({ pid: deadPid(), startTime: '1' })).toBe('gone');
    expect(readProcessIdentity(deadPid())).toBeUndefined();
  });

  describe('without a usable /proc', () => {
    let root: string;
    beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-proc-'))));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('falls back to kill(pid, 0) where there is no /proc at all', () => {
      expect(currentProcessIdentity({ procRoot: root })).toEqual({ pid: process.pid });
      expect(probeProcess({ pid: process.pid, startTime: 'ignored' }, { procRoot: root })).toBe('live');
      expect(probeProcess({ pid: deadPid() }, { procRoot: root })).toBe('gone');
    });

    it('does not call a process hidden by hidepid gone while the kernel still has it', () => {
      fs.mkdirSync(path.join(root, 'self'));
      fs.writeFileSync(path.join(root, 'self', 'stat'), '1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0');
      expect(probeProcess({ pid: process.pid, startTime: '5' }, { procRoot: root })).toBe('live');
      expect(probeProcess({ pid: deadPid(), startTime: '5' }, { procRoot: root })).toBe('gone');
    });
  });
});
