import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverProcessEnv, startServerProcess, type ServerProcess } from './server-process';

/**
 * Gateway replicas as separate processes on one database, the way the multi-replica specs run
 * them: each with its own NODE_ID and data directory. A replica that exits without being
 * stopped through here prints why, with the end of its output.
 */
export class Replicas {
  /** Running replicas by node id (a spec that kills one removes it first). */
  readonly nodes = new Map<string, ServerProcess>();
  private readonly dirs: string[] = [];

  constructor(private readonly label: string) {}

  async start(databaseUrl: string | undefined, nodeId: string, env: Record<string, string>, opts: { preload?: string } = {}): Promise<ServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), `sb-${this.label}-${nodeId}-`));
    this.dirs.push(dir);
    const server = await startServerProcess(serverProcessEnv(databaseUrl, dir, { ...env, NODE_ID: nodeId }), opts);
    this.nodes.set(nodeId, server);
    server.child.once('exit', (code, signal) => {
      if (this.nodes.get(nodeId) === server) console.log(`# replica ${nodeId} exited (${code ?? signal}):\n${server.output().slice(-6000)}`);
    });
    return server;
  }

  /** Stops every replica still running and removes their data directories. */
  async stopAll(): Promise<void> {
    const running = [...this.nodes.values()];
    this.nodes.clear();
    for (const server of running) await server.stop().catch(() => undefined);
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
