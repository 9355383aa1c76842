import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { nxEnv, type ScratchWorkspace } from './scratch-workspace';

export interface NxRun {
  status: number | null;
  output: string;
  durationMs: number;
}

/**
 * Runs the workspace's nx without blocking this process, which may be serving the model API the
 * lanes talk to (a synchronous spawn would starve it).
 */
export function runNxAsync(ws: ScratchWorkspace, args: string[], env: NodeJS.ProcessEnv = {}, watch: { onOutput?: (soFar: string) => void; signal?: AbortSignal } = {}): Promise<NxRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ws.root, 'node_modules', '.bin', 'nx'), ...args], { cwd: ws.root, env: nxEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk;
      watch.onOutput?.(output);
    };
    watch.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output, durationMs: Date.now() - started }));
  });
}

export interface RecordedRequest {
  method?: string;
  path?: string;
  body: string;
}

export interface BodyRecorder {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A loopback forwarder to `port` that keeps every request's body, to assert what an agent sent. */
export async function startBodyRecorder(port: number): Promise<BodyRecorder> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, path: req.url?.split('?')[0], body: body.toString('utf8') });
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const forward = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
