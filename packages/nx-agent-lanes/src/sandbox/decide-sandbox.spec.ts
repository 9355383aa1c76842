import { LanesError } from '../errors';
import { decideSandbox } from './decide-sandbox';
import type { SandboxDetection } from './detect-sandbox';

const available: SandboxDetection = { available: true, bwrapPath: '/usr/bin/bwrap', socatPath: '/usr/bin/socat' };
const missing: SandboxDetection = {
  available: false,
  reason: 'bubblewrap is not installed',
  hint: 'Install them: `sudo apt-get install bubblewrap socat`.',
};

describe('decideSandbox', () => {
  it('runs sandboxed with the detected tools under auto and required', () => {
    for (const setting of ['auto', 'required'] as const) {
      expect(decideSandbox({ setting, detection: available })).toEqual({
        run: 'sandboxed',
        isolation: { kind: 'bwrap', bwrapPath: '/usr/bin/bwrap', socatPath: '/usr/bin/socat' },
      });
    }
  });

  it('runs unsandboxed with one warning under auto when the sandbox is missing, naming what is not enforced and how to fix it', () => {
    const decision = decideSandbox({ setting: 'auto', detection: missing, where: 'feature export' });
    expect(decision).toEqual({ run: 'unsandboxed', isolation: { kind: 'none' }, warning: expect.any(String) });
    const { warning } = decision as { warning: string };
    expect(warning).toMatch(/^Lane processes run WITHOUT the OS sandbox \(feature export\): bubblewrap is not installed\./);
    expect(warning).toContain('your .git and node_modules included');
    expect(warning).toContain('sudo apt-get install bubblewrap socat');
    expect(warning).toContain('"sandbox": "required"');
  });

  it('refuses under required when the sandbox is missing, with an error whose hint says how to install it', () => {
    const decision = decideSandbox({ setting: 'required', detection: missing, where: 'lane backend' });
    expect(decision.run).toBe('refused');
    const { error } = decision as { error: LanesError };
    expect(error).toBeInstanceOf(LanesError);
    expect(error.message).toBe('"sandbox": "required" (lane backend), and the OS sandbox is not available: bubblewrap is not installed.');
    expect(error.hint).toBe(missing.available ? undefined : missing.hint);
  });

  it('runs unsandboxed without a warning under off, whether or not the sandbox exists', () => {
    for (const detection of [available, missing]) {
      expect(decideSandbox({ setting: 'off', detection })).toEqual({ run: 'unsandboxed', isolation: { kind: 'none' } });
    }
  });
});
