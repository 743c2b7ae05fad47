import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface RedisServerOptions {
  /** `requirepass`, as Dify's compose sets it (`REDIS_PASSWORD`); none when absent. */
  readonly password?: string;
  /**
   * Keep the data across `stop()`/`start()` (append-only file, fsync on every write), for
   * down-and-back tests. Off: a plain in-memory server.
   */
  readonly persistent?: boolean;
  /**
   * TLS only (`rediss://`): the server's certificate and key, and the CA whose client
   * certificates it requires when `authClients` is set.
   */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly ca: string;
    readonly authClients?: boolean;
  };
}

/**
 * A real `redis-server` (Debian package `redis-server`) on a free port of 127.0.0.1, its files in a
 * temporary directory. `stop()` and `start()` take it down and back on the same port and
 * directory; `destroy()` stops it and removes the directory. Tests never assume one is running.
 */
export class RedisServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'redis-test-')),
      options,
    );
    await server.start();
    return server;
  }

  /** `redis[s]://[:password@]127.0.0.1:<port>/<db>`. */
  url(db = 0): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `${this.options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}/${db}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server (again), resolving once it accepts connections. */
  async start(): Promise<void> {
    if (this.child) return;
    const tls = this.options.tls;
    const args = [
      ...(tls
        ? [
            '--port',
            '0',
            '--tls-port',
            String(this.port),
            '--tls-cert-file',
            tls.cert,
            '--tls-key-file',
            tls.key,
            '--tls-ca-cert-file',
            tls.ca,
            '--tls-auth-clients',
            tls.authClients ? 'yes' : 'no',
          ]
        : ['--port', String(this.port)]),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.options.persistent ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ];
    if (this.options.password) args.push('--requirepass', this.options.password);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => {
        output += c.toString();
      });
      child.once('error', (err) =>
        reject(
          new Error(
            `redis-server could not start (is the Debian package installed?): ${err.message}`,
          ),
        ),
      );
      child.once('exit', (code) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
      });
    });
  }

  /** Shuts the server down (SIGTERM: the append-only file is flushed) and waits for it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGTERM');
    await this.exited;
  }

  /** Down and back on the same port, with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
