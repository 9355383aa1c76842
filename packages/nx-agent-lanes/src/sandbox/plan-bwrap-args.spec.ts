import { planBridgeScript, planBwrapArgs, quoteShell } from './plan-bwrap-args';

const mounts = {
  hidden: ['/home/me'],
  readable: [{ source: '/home/me/proj/node_modules', target: '/home/me/proj/node_modules' }],
  writable: ['/tmp/lanes/wt', '/tmp/lanes/scratch'],
  readOnly: ['/tmp/lanes/wt/.git'],
  sockets: [],
};

/** Pairs the mount flags of an argument list, in order: `--bind a b` becomes `bind a b`. */
function mountsOf(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (['--bind', '--ro-bind'].includes(flag)) out.push(`${flag.slice(2)} ${args[++i]} ${args[++i]}`);
    else if (['--tmpfs', '--remount-ro', '--dev', '--proc'].includes(flag)) out.push(`${flag.slice(2)} ${args[++i]}`);
  }
  return out;
}

describe('planBwrapArgs', () => {
  it('isolates every namespace, drops every capability and mounts the root read-only with private /tmp and /run', () => {
    const args = planBwrapArgs({ mounts: { hidden: [], readable: [], writable: ['/w'], readOnly: [], sockets: [] }, cwd: '/w', command: 'npm test', bridges: [], socatPath: '/usr/bin/socat' });
    expect(args).toEqual([
      '--unshare-all', '--unshare-user', '--die-with-parent', '--cap-drop', 'ALL',
      '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run',
      '--bind', '/w', '/w', '--chdir', '/w', '--', '/bin/sh', '-c', 'npm test',
    ]);
  });

  it('mounts shallowest first, so the more specific path wins, and makes hidden paths read-only last', () => {
    const args = planBwrapArgs({ mounts, cwd: '/tmp/lanes/wt', command: 'true', bridges: [], socatPath: 'socat' });
    expect(mountsOf(args)).toEqual([
      'ro-bind / /', 'dev /dev', 'proc /proc', 'tmpfs /tmp', 'tmpfs /run',
      'tmpfs /home/me',
      'bind /tmp/lanes/wt /tmp/lanes/wt',
      'bind /tmp/lanes/scratch /tmp/lanes/scratch',
      'ro-bind /home/me/proj/node_modules /home/me/proj/node_modules',
      'ro-bind /tmp/lanes/wt/.git /tmp/lanes/wt/.git',
      'remount-ro /home/me',
    ]);
  });

  it('keeps a read-only path read-only when it is also listed writable', () => {
    const args = planBwrapArgs({ mounts: { hidden: [], readable: [], writable: ['/w'], readOnly: ['/w'], sockets: [] }, cwd: '/w', command: 'true', bridges: [], socatPath: 'socat' });
    expect(mountsOf(args).slice(-2)).toEqual(['bind /w /w', 'ro-bind /w /w']);
  });

  it('starts the bridges before the command, which then replaces the shell and gets its line as $1', () => {
    const args = planBwrapArgs({
      mounts: { ...mounts, sockets: [{ source: '/tmp/s/api.sock', target: '/run/nx-agent-lanes/api.sock' }] },
      cwd: '/tmp/lanes/wt',
      command: "echo 'it''s'",
      bridges: [{ port: 8080, socket: '/run/nx-agent-lanes/api.sock' }],
      socatPath: '/usr/bin/socat',
    });
    expect(mountsOf(args)).toContain('bind /tmp/s/api.sock /run/nx-agent-lanes/api.sock');
    expect(args.slice(-6, -3)).toEqual(['--', '/bin/sh', '-c']);
    expect(args.slice(-2)).toEqual(['nx-agent-lanes-sandbox', "echo 'it''s'"]);
    const script = args.at(-3)!;
    expect(script).toContain(
      '( exec /usr/bin/socat -d -d TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:/run/nx-agent-lanes/api.sock </dev/null >/dev/null 2>>/run/nx-agent-lanes/bridge-8080.log & )',
    );
    expect(script).toContain('until listening /run/nx-agent-lanes/bridge-8080.log; do');
    expect(script.endsWith('exec /bin/sh -c "$1"')).toBe(true);
  });

  it('exits 125 with a message when a bridge does not come up', () => {
    expect(planBridgeScript([{ port: 1, socket: '/s' }], 'socat')).toContain('the bridge to 127.0.0.1:1 did not start (socat)" >&2; exit 125');
  });

  it('quotes shell words that need it', () => {
    expect(quoteShell('/usr/bin/socat')).toBe('/usr/bin/socat');
    expect(quoteShell("/opt/my tools/it's")).toBe("'/opt/my tools/it'\\''s'");
  });
});
