// Every real-world corpus Dockerfile either converts to LLB or fails with a located
// DockerfileError (never an internal exception), using one stand-in base image config.
import { describe, expect, it } from 'vitest';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { loadCorpus } from '../parser/corpus-files.js';
import { IMAGES } from './fake-resolver.js';

const base = IMAGES['docker.io/library/busybox:latest']!;

describe('corpus conversion', () => {
  it('converts or reports a Dockerfile error for every corpus file', async () => {
    const files = loadCorpus();
    expect(files.length).toBeGreaterThan(300);
    let converted = 0;
    const unexpected: string[] = [];
    for (const { name, text } of files) {
      try {
        const res = await convertDockerfile(text, {
          file: name,
          resolveImageConfig: async (ref) => ({ ref, digest: `sha256:${'a'.repeat(64)}`, config: structuredClone(base) }),
        });
        expect(res.definition.ops.length).toBeGreaterThanOrEqual(0);
        converted++;
      } catch (err) {
        if (!(err instanceof DockerfileError)) unexpected.push(`${name}: ${(err as Error).stack}`);
        else if (text.trim() !== '' && err.line === undefined && !/no stages|cannot be empty/.test(err.message)) {
          unexpected.push(`${name}: error without a line: ${err.message}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    // Most of the corpus is ordinary, valid Dockerfiles.
    expect(converted).toBeGreaterThan(350);
  });
});
