import { execFile } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The user PostgreSQL runs as when the tests run as root (PostgreSQL refuses root). */
const UNPRIVILEGED = { name: 'nobody', uid: 65534, gid: 65534 };

export interface PostgresServerOptions {
  /** The superuser's password (user `postgres`); TCP logins need it (scram-sha-256). */
  readonly password?: string;
  /** A database to create besides `postgres`. */
  readonly database?: string;
}

/**
 * A real PostgreSQL server (Debian package `postgresql`: `initdb`, `pg_ctl`) on a free port of
 * 127.0.0.1, its cluster in a temporary directory. As root, the cluster belongs to `nobody` and
 * every server command runs through `runuser`. `stop()` and `start()` take it down and back on
 * the same port and data; `destroy()` stops it and removes the directory.
 */
export class PostgresServer {
  private up = false;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly password: string,
    readonly database: string,
    private readonly bin: string,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const dir = mkdtempSync(join(tmpdir(), 'postgres-test-'));
    const password = options.password ?? 'postgres-test';
    const server = new PostgresServer(
      await freePort(),
      dir,
      password,
      options.database ?? 'postgres',
      bin,
    );
    const pwfile = join(dir, 'password');
    writeFileSync(pwfile, `${password}\n`);
    if (asRoot()) {
      chownSync(dir, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
      chownSync(pwfile, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
    }
    await server.exec('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await server.start();
    if (server.database !== 'postgres') {
      const client = new pg.Client({ connectionString: server.url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(server.database)}`);
      } finally {
        await client.end();
      }
    }
    return server;
  }

  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>`. */
  url(database = this.database): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.up;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.up) return;
    const settings = [
      'listen_addresses=127.0.0.1',
      `port=${this.port}`,
      `unix_socket_directories=${this.dir}`,
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=50',
    ];
    await this.exec('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      settings.map((s) => `-c ${s}`).join(' '),
      'start',
    ]);
    this.up = true;
  }

  /** A fast shutdown (connections are closed), waiting until it is down. */
  async stop(): Promise<void> {
    if (!this.up) return;
    await this.exec('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    this.up = false;
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

  /** Runs SQL (several statements allowed) as the superuser. */
  async sql(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      return await client.query(text, params);
    } finally {
      await client.end();
    }
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [cmd, argv] = asRoot()
      ? ['runuser', ['-u', UNPRIVILEGED.name, '--', path, ...args]]
      : [path, args];
    try {
      await run(cmd, argv, { cwd: this.dir });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr || e.message}`);
    }
  }
}

function asRoot(): boolean {
  return userInfo().uid === 0;
}

/**
 * Where `initdb` and `pg_ctl` are: on PATH, else Debian's `/usr/lib/postgresql/<version>/bin`
 * (the `postgresql` package does not put them on PATH), the newest version first.
 */
export function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) {
      // pg_ctl finds `postgres` beside its real path (Debian links them into /usr/local/bin).
      return dirname(realpathSync(join(dir, 'initdb')));
    }
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed: no initdb on PATH or in /usr/lib/postgresql/*/bin (Debian package postgresql; .ci/run installs it)',
    );
  }
  return join(root, versions[0]!, 'bin');
}
