import type { Node } from 'jsonc-parser';
import { SANDBOX_KEYS } from './feature-keys';
import type { SandboxConfig, SandboxConfigInput, SandboxMode } from './feature-types';
import { type PlanContext, describeType, nameField, readObject, readStrings, reportProblem, valueOf } from './plan-context';

export const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'required', 'off'];

/** On where the machine has it, with one warning where it has not; no host beyond the API proxy. */
export const DEFAULT_SANDBOX: Readonly<SandboxConfig> = { mode: 'auto', allowHosts: [] };

/** One `allowHosts` entry: `registry.npmjs.org`, `*.github.com` (subdomains only), either with `:443`. */
export interface HostPattern {
  host: string;
  /** `*.example.com`: any subdomain of `host`, not `host` itself. */
  wildcard: boolean;
  /** Only this port; any port when absent. */
  port?: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** Parses an `allowHosts` entry, or says in one sentence what is wrong with it. */
export function parseHostPattern(entry: string): HostPattern | { problem: string } {
  const text = entry.trim().toLowerCase();
  const withPort = /^(.*):(\d{1,5})$/.exec(text);
  const port = withPort ? Number(withPort[2]) : undefined;
  const name = withPort ? withPort[1] : text;
  if (port !== undefined && (port < 1 || port > 65535)) return { problem: `\`${entry}\` has port ${port}; a port is 1 to 65535.` };
  if (name === '*' || name === '') {
    return { problem: `\`${entry}\` would allow every host; list the hosts the lane needs (\`registry.npmjs.org\`, \`*.github.com\`), or set \`"sandbox": "off"\`.` };
  }
  const wildcard = name.startsWith('*.');
  const host = wildcard ? name.slice(2) : name;
  if (name.startsWith('[') || (name.match(/:/g)?.length ?? 0) >= 2) {
    return { problem: `\`${entry}\` is an IPv6 address; allowHosts takes host names and IPv4 addresses, with an optional \`:port\`.` };
  }
  if (!HOST_NAME.test(host)) {
    return { problem: `\`${entry}\` is not a host name: write \`example.com\`, \`*.example.com\` or \`example.com:443\`, without a scheme or a path.` };
  }
  if (host === 'localhost' || host.endsWith('.localhost') || /^(127|0)\./.test(host)) {
    return {
      problem: `\`${entry}\` is this machine: a sandboxed lane never reaches the machine's own services (the plugin's API proxy is bridged in already).`,
    };
  }
  return port === undefined ? { host, wildcard } : { host, wildcard, port };
}

/** Whether a connection to `host:port` is one a pattern allows. */
export function matchHostPattern(pattern: HostPattern, host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const nameMatches = pattern.wildcard ? name.endsWith(`.${pattern.host}`) : name === pattern.host;
  return nameMatches && (pattern.port === undefined || pattern.port === port);
}

/**
 * Reads `sandbox` at `where` (`sandbox` or `lanes.<name>.sandbox`): a mode string, or an object
 * `{ "mode": ..., "allowHosts": [...] }`. Undefined when absent or wrong (reported).
 */
export function readSandbox(ctx: PlanContext, property: Node | undefined, where: string): SandboxConfigInput | undefined {
  const node = valueOf(property);
  if (!property || !node) return undefined;
  if (node.type === 'string') {
    const mode = readMode(ctx, node, where);
    return mode === undefined ? undefined : { mode };
  }
  if (node.type !== 'object') {
    reportProblem(ctx, node, `\`${where}\` must be one of ${quoteModes()}, or an object \`{ "mode": "auto", "allowHosts": [] }\`, not ${describeType(node)}.`);
    return undefined;
  }
  const fields = readObject(ctx, node, { where, known: SANDBOX_KEYS, property });
  if (!fields) return undefined;
  const config: SandboxConfigInput = {};
  const modeNode = valueOf(fields.props.get('mode'));
  if (modeNode) {
    const mode = modeNode.type === 'string' ? readMode(ctx, modeNode, nameField(where, 'mode')) : undefined;
    if (modeNode.type !== 'string') reportProblem(ctx, modeNode, `\`${nameField(where, 'mode')}\` must be one of ${quoteModes()}, not ${describeType(modeNode)}.`);
    if (mode !== undefined) config.mode = mode;
  }
  const hosts = readStrings(ctx, fields, 'allowHosts');
  if (hosts) {
    config.allowHosts = [];
    for (const { value, node: entry } of hosts) {
      const parsed = parseHostPattern(value);
      if ('problem' in parsed) reportProblem(ctx, entry, `${parsed.problem} (in \`${nameField(where, 'allowHosts')}\`)`);
      else config.allowHosts.push(value.trim().toLowerCase());
    }
  }
  return config;
}

/** A lane's sandbox: its own fields, else the feature's, else the defaults; `allowHosts` is replaced, not merged. */
export function resolveSandbox(layers: { feature?: SandboxConfigInput; lane?: SandboxConfigInput }): SandboxConfig {
  return {
    mode: layers.lane?.mode ?? layers.feature?.mode ?? DEFAULT_SANDBOX.mode,
    allowHosts: [...(layers.lane?.allowHosts ?? layers.feature?.allowHosts ?? DEFAULT_SANDBOX.allowHosts)],
  };
}

function readMode(ctx: PlanContext, node: Node, where: string): SandboxMode | undefined {
  const value = String(node.value);
  if ((SANDBOX_MODES as readonly string[]).includes(value)) return value as SandboxMode;
  reportProblem(
    ctx,
    node,
    `\`${where}\` is \`${value}\`; it must be one of ${quoteModes()}: \`auto\` sandboxes where the machine can (one warning where not), ` +
      '`required` refuses to run without the sandbox, `off` runs unsandboxed.',
  );
  return undefined;
}

function quoteModes(): string {
  return SANDBOX_MODES.map((m) => `\`"${m}"\``).join(', ');
}
