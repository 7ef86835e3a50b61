// Child process for the unprivileged apply test: applies <tar> into <dest> with the given
// whiteout mode and prints the warnings as JSON. Run as a non-root uid by the test.
import { createReadStream } from 'node:fs';
import { applyLayer } from '../../../src/solver/layer/apply-layer.js';

const [tar, dest, mode] = process.argv.slice(2) as [string, string, 'flatten' | 'overlay'];
const warnings: string[] = [];
await applyLayer(createReadStream(tar), dest, { whiteouts: mode, onWarning: (m) => warnings.push(m) });
process.stdout.write(JSON.stringify(warnings));
