import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import type { AgentRequest } from './agent';

/** Runs a shell script; rejects with its stderr when it fails. */
export function runScript(script: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-ec', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { err += c; });
    child.on('error', reject);
    // A script that exits without reading its input must not take the run down with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`shell step failed (exit ${code}): ${err.trim() || script.slice(0, 200)}`))));
    child.stdin.end(input ?? '');
  });
}

/** Quotes a value for `sh`. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to run one of this package's scripts with the running Node.js: compiled JavaScript as is, TypeScript
 * (tests, `npm run eks-lb-lab`) through tsx. `script` is the file's absolute path without extension; it takes
 * the extension this module runs with.
 */
export function nodeCommand(script: string): string[] {
  const file = `${script}${path.extname(__filename)}`;
  if (file.endsWith('.ts')) return [process.execPath, '--require', require.resolve('tsx/cjs'), file];
  return [process.execPath, file];
}

/** A process started inside a namespace that takes requests over its IPC channel. */
export class Agent {
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly ready: Promise<void>;
  private exited?: string;

  private constructor(readonly netns: string, private readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve: () => resolve(), reject }));
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) waiter?.reject(new Error(`${netns}: ${m.error}`));
      else waiter?.resolve(m.result);
    });
    child.on('error', (error) => {
      for (const w of this.pending.values()) w.reject(new Error(`the agent in ${netns}: ${error.message}`));
      this.pending.clear();
    });
    child.on('exit', (code, signal) => {
      this.exited = `the agent in ${netns} exited (${signal ?? code})`;
      for (const w of this.pending.values()) w.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  /** Starts the agent in `netns` and waits until it takes requests. */
  static async start(netns: string): Promise<Agent> {
    const [cmd, ...args] = nodeCommand(path.join(__dirname, 'agent'));
    const child = spawn('ip', ['netns', 'exec', netns, cmd, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const agent = new Agent(netns, child);
    await agent.ready;
    return agent;
  }

  call<T = unknown>(request: AgentRequest): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request });
    });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.kill();
  }
}
