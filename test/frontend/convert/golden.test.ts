// Golden tests: each testdata/convert/cases/<name>/Dockerfile converts to exactly the
// committed LLB print and image config. UPDATE_GOLDEN=1 rewrites the goldens.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageToJSON } from '../../../src/frontend/dockerfile/image-config.js';
import { definitionToJSON } from '../../../src/llb/print-json.js';
import { convert, TESTDATA } from './fake-resolver.js';

const CASES = `${TESTDATA}cases/`;
const update = process.env.UPDATE_GOLDEN === '1';

async function render(name: string): Promise<{ llb: string; image: string }> {
  const dir = `${CASES}${name}/`;
  const text = readFileSync(`${dir}Dockerfile`, 'utf8');
  const options = existsSync(`${dir}options.json`) ? JSON.parse(readFileSync(`${dir}options.json`, 'utf8')) : {};
  const res = await convert(text, options);
  const image = {
    target: res.target,
    stages: res.stages,
    warnings: res.warnings,
    config: JSON.parse(imageToJSON(res.image)),
  };
  return { llb: definitionToJSON(res.definition), image: JSON.stringify(image, null, 2) + '\n' };
}

describe('golden LLB and image config', () => {
  const names = readdirSync(CASES).sort();
  it('has cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });
  for (const name of names) {
    it(name, async () => {
      const first = await render(name);
      const again = await render(name);
      expect(again).toEqual(first);
      const llbFile = `${CASES}${name}/golden.llb.json`;
      const imageFile = `${CASES}${name}/golden.image.json`;
      if (update) {
        writeFileSync(llbFile, first.llb);
        writeFileSync(imageFile, first.image);
      }
      expect(first.llb).toBe(readFileSync(llbFile, 'utf8'));
      expect(first.image).toBe(readFileSync(imageFile, 'utf8'));
    });
  }
});
