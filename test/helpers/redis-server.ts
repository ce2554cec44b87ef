// Starts a real redis-server (the Debian package `.ci/run` installs) on a free loopback port with a temp dir, and stops it.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Sends one command over a fresh connection and resolves with the raw RESP reply text. */
  command(...args: string[]): Promise<string>;
  /** Stops the server (SIGTERM) and waits for its exit; the data dir stays until `cleanup`. */
  stop(): Promise<void>;
  /** Starts the server again on the same port (for reconnection tests). */
  restart(): Promise<void>;
  /** Freezes the server process (SIGSTOP): connections stay open, nothing is answered until `thaw` (a stalled Redis). */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT); the commands sent meanwhile are then answered. */
  thaw(): void;
  /** Stops it and removes its temp dir. */
  cleanup(): Promise<void>;
}

/** True when redis-server is on PATH; without it, Redis tests skip locally and fail on CI (where `.ci/run` installs it). */
export function redisServerAvailable(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI) throw new Error('redis-server is not installed (.ci/run installs the Debian package redis-server)');
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One command as RESP over a new socket; resolves with everything the server sent until it paused. */
function sendCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (replyComplete(text)) socket.end();
    });
    socket.on('close', () => resolve(text));
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** A simple (+ - :) or bulk ($) RESP reply is complete; the helper sends nothing that answers with arrays. */
function replyComplete(text: string): boolean {
  const head = text.indexOf('\r\n');
  if (head < 0) return false;
  if (text[0] !== '$') return true;
  const length = Number(text.slice(1, head));
  return length < 0 || Buffer.byteLength(text) >= head + 2 + length + 2;
}

/** Resolves when the server logs that it accepts connections (no polling); rejects if it exits first. */
function waitForReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (!log.includes('Ready to accept connections')) return;
      child.stdout?.off('data', onData).resume(); // keep draining the log, or the server blocks on a full pipe
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null): void => reject(new Error(`redis-server on port ${port} exited with ${code} before it was ready:\n${log}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A redis-server on a free loopback port, no persistence, nothing else. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'autofas-redis-'));
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForReady(child, port);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    running.kill('SIGCONT'); // a frozen server takes its SIGTERM only once it runs again
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (...args) => sendCommand(port, args),
    stop,
    restart: start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `calls` of one command in `INFO commandstats` (e.g. 'hmget'), 0 when never called. */
export async function commandCalls(server: RedisServer, command: string): Promise<number> {
  const info = await server.command('INFO', 'commandstats');
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}
