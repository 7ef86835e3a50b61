// The OCI bundle of one container: config.json, the hosts and resolv.conf files bind-mounted
// into it, and the runtime's log. The files have fixed names, so they are written and later
// removed by name (no temp-dir creation with retries, no directory walk to delete), and
// synchronously: a few small files the RUN step waits for, where a threadpool round trip
// per open, write and close costs more than the syscalls.
import { chmodSync, mkdirSync, readFileSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface NetworkFiles {
  hosts: string;
  resolvConf: string;
}

export class Bundle {
  readonly hostsPath: string;
  readonly resolvConfPath: string;
  readonly configPath: string;
  readonly logPath: string;

  /**
   * `dir` is created (mode 0700, it must not exist) when `ownDir`; otherwise it is an
   * existing private directory of the caller, who removes it, and which holds one bundle at
   * a time.
   */
  constructor(readonly dir: string, private readonly ownDir: boolean) {
    if (ownDir) mkdirSync(dir, 0o700);
    this.hostsPath = path.join(dir, 'hosts');
    this.resolvConfPath = path.join(dir, 'resolv.conf');
    this.configPath = path.join(dir, 'config.json');
    this.logPath = path.join(dir, 'runtime.log');
  }

  /** hosts and resolv.conf: they need no rootfs, so a caller may write them while it mounts. */
  writeNetworkFiles(files: NetworkFiles): void {
    // 0644 whatever this process's umask (BuildKit writes them 0644 under buildkitd's 022):
    // under umask 077 a RUN as a non-root USER could not read them.
    for (const [file, text] of [[this.hostsPath, files.hosts], [this.resolvConfPath, files.resolvConf]] as const) {
      writeFileSync(file, text, { mode: 0o644 });
      chmodSync(file, 0o644);
    }
  }

  writeConfig(config: string): void {
    writeFileSync(this.configPath, config);
  }

  /** The runtime's log, '' when it wrote none. */
  readLog(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Removes the bundle's files (and its directory when it created it). */
  remove(): void {
    for (const f of [this.configPath, this.hostsPath, this.resolvConfPath, this.logPath]) {
      try {
        unlinkSync(f);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (!this.ownDir) return;
    try {
      rmdirSync(this.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // Something else appeared in it (a runtime writing more than its log): remove it all.
      if (code === 'ENOTEMPTY' || code === 'EEXIST') rmSync(this.dir, { recursive: true, force: true });
      else throw err;
    }
  }
}
