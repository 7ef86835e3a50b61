// Node builtins that a fully cached build never needs, loaded on first use: imported at the
// top of a module they cost start-up time on every run (test/build-ux/startup.test.ts guards
// which load). Builtins resolve from any base path, and the bundle has no file URL.
import { createRequire } from 'node:module';

const requireBuiltin = createRequire('/');

export function childProcess(): typeof import('node:child_process') {
  return requireBuiltin('node:child_process') as typeof import('node:child_process');
}

export function zlib(): typeof import('node:zlib') {
  return requireBuiltin('node:zlib') as typeof import('node:zlib');
}

export function https(): typeof import('node:https') {
  return requireBuiltin('node:https') as typeof import('node:https');
}

export function tls(): typeof import('node:tls') {
  return requireBuiltin('node:tls') as typeof import('node:tls');
}

export function net(): typeof import('node:net') {
  return requireBuiltin('node:net') as typeof import('node:net');
}
