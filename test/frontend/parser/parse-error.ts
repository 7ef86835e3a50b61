// Test helper: the DockerfileError a parse throws (fails the test when it does not throw).
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';

export function parseError(src: string, file?: string): DockerfileError {
  try {
    parseDockerfile(src, file === undefined ? {} : { file });
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error(`expected a DockerfileError for ${JSON.stringify(src)}`);
}
