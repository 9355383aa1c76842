import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxIsolation } from './decide-sandbox';
import { type SandboxWorld, createSandboxWorld, requireBwrap, runIn } from './__fixtures__/sandbox-fixture';

/*
 * What a sandboxed process start costs against an unsandboxed one (goal: under 50 ms more). The
 * medians are printed; the assertion is loose because other suites share these cores.
 */

let world: SandboxWorld;
let bwrap: SandboxIsolation;

beforeAll(() => {
  bwrap = requireBwrap();
  world = createSandboxWorld();
});
afterAll(() => world.remove());

async function medianStartMs(isolation: SandboxIsolation, network?: { apiProxy: { port: number } }): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = process.hrtime.bigint();
    const run = await runIn(world, isolation, { command: 'true', network });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    expect(run.exitCode).toBe(0);
  }
  return times.sort((a, b) => a - b)[10];
}

describe('runSandboxed: start cost', () => {
  it('adds well under 50 ms per process start (the median over 21 starts of `true`)', async () => {
    const api = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const port = (api.address() as AddressInfo).port;
      const none = await medianStartMs({ kind: 'none' });
      const sandboxed = await medianStartMs(bwrap);
      const bridged = await medianStartMs(bwrap, { apiProxy: { port } });
      console.log(
        `process start, median of 21: unsandboxed ${none.toFixed(1)} ms, sandboxed ${sandboxed.toFixed(1)} ms ` +
          `(+${(sandboxed - none).toFixed(1)}), sandboxed with the API bridge ${bridged.toFixed(1)} ms (+${(bridged - none).toFixed(1)})`,
      );
      expect(sandboxed - none).toBeLessThan(150);
      expect(bridged - none).toBeLessThan(150);
    } finally {
      api.close();
    }
  });
});
