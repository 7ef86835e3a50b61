// BuildKit's Dockerfile checks, reported as warnings with BuildKit's rule names and words.
import { describe, expect, it } from 'vitest';
import { convert } from './fake-resolver.js';

const BB = '127.0.0.1:5000/library/busybox:latest';
const rulesOf = async (text: string, buildArgs: Record<string, string> = {}) =>
  (await convert(text, { buildArgs })).warnings.filter((w) => w.rule).map((w) => [w.rule, w.message, w.location?.line]);

describe('Dockerfile checks', () => {
  it('reports each rule at its line', async () => {
    const text = [
      `FROM ${BB} as Builder`, // 1: StageNameCasing, FromAsCasing
      'ENV API_KEY=x', // 2: SecretsUsedInArgOrEnv (PUBLIC ones are fine)
      'ENV PUBLIC_KEY=y',
      'ENV PORT 80', // 4: LegacyKeyValueFormat
      'WORKDIR app', // 5: WorkdirRelativePath (first WORKDIR only)
      'WORKDIR sub',
      'COPY $SRC ${DEST:-/d}', // 7: UndefinedVar SRC (DEST has a default: still undefined)
      'ARG TOKEN', // 8: SecretsUsedInArgOrEnv
      'CMD echo one', // 9: JSONArgsRecommended; MultipleInstructionsDisallowed (this earlier one)
      'CMD ["two"]',
      'MAINTAINER me', // 11: MaintainerDeprecated
      `FROM ${BB} AS other`,
      'run echo mixed', // 13: ConsistentInstructionCasing
      `FROM \${REGISTY}x AS scratch`, // 14: UndefinedArgInFrom, ReservedStageName
      `FROM ${BB}`, // the default target: the stages above are not built
    ].join('\n');
    const warnings = await rulesOf(text + '\n', {});
    expect(warnings).toEqual(expect.arrayContaining([
      ['StageNameCasing', "Stage name 'Builder' should be lowercase", 1],
      ['FromAsCasing', "'as' and 'FROM' keywords' casing do not match", 1],
      ['MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', 11],
      ['ReservedStageName', 'Stage name should not use the same name as reserved stage "scratch"', 14],
      ['ConsistentInstructionCasing', "Command 'run' should match the case of the command majority (uppercase)", 13],
      ['UndefinedArgInFrom', "FROM argument 'REGISTY' is not declared", 14],
    ]));
    // Stage checks run only for stages that are built: target the first one.
    const stage = (await convert(text + '\n', { target: 'builder' })).warnings.filter((w) => w.rule).map((w) => [w.rule, w.message, w.location?.line]);
    expect(stage).toEqual(expect.arrayContaining([
      ['SecretsUsedInArgOrEnv', 'Do not use ARG or ENV instructions for sensitive data (ENV "API_KEY")', 2],
      ['LegacyKeyValueFormat', '"ENV key=value" should be used instead of legacy "ENV key value" format', 4],
      ['WorkdirRelativePath', 'Relative workdir "app" can have unexpected results if the base image changes', 5],
      ['UndefinedVar', "Usage of undefined variable '$SRC'", 7],
      ['UndefinedVar', "Usage of undefined variable '$DEST'", 7],
      ['SecretsUsedInArgOrEnv', 'Do not use ARG or ENV instructions for sensitive data (ARG "TOKEN")', 8],
      ['JSONArgsRecommended', 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', 9],
      ['MultipleInstructionsDisallowed', 'Multiple CMD instructions should not be used in the same stage because only the last one will be used', 9],
    ]));
    expect(stage.filter((w) => w[0] === 'WorkdirRelativePath')).toHaveLength(1);
    expect(stage.some((w) => String(w[1]).includes('PUBLIC_KEY'))).toBe(false);
  });

  it('flags duplicate stage names (the later one wins as a target, as in BuildKit)', async () => {
    const res = await convert(`FROM ${BB} AS b\nRUN echo first\nFROM ${BB} AS b\nRUN echo second\n`, { target: 'b' });
    expect(res.warnings).toContainEqual(expect.objectContaining({ rule: 'DuplicateStageName', message: 'Duplicate stage name "b", stage names should be unique', location: { file: 'Dockerfile', line: 3 } }));
    expect(res.image.history!.at(-1)!.created_by).toBe('RUN /bin/sh -c echo second # buildkit');
  });

  it('suggests close names for undefined variables', async () => {
    const w = await rulesOf(`FROM ${BB}\nENV VERSION=1\nCOPY app-$VERSON /app\n`);
    expect(w).toContainEqual(['UndefinedVar', "Usage of undefined variable '$VERSON' (did you mean $VERSION?)", 3]);
  });

  it('a declared ARG without value is not undefined; a custom SHELL silences JSONArgsRecommended', async () => {
    expect(await rulesOf(`FROM ${BB}\nARG V\nCOPY $V /x\nSHELL ["/bin/sh","-c"]\nCMD run\n`)).toEqual([]);
  });

  it('# check=skip=… and BUILDKIT_DOCKERFILE_CHECK turn rules off; error=true fails the build', async () => {
    const text = `FROM ${BB}\nMAINTAINER me\nCMD run\n`;
    expect((await rulesOf(text)).map((w) => w[0])).toEqual(['MaintainerDeprecated', 'JSONArgsRecommended']);
    expect((await rulesOf(`# check=skip=JSONArgsRecommended\n${text}`)).map((w) => w[0])).toEqual(['MaintainerDeprecated']);
    expect(await rulesOf(`# check=skip=all\n${text}`)).toEqual([]);
    expect(await rulesOf(text, { BUILDKIT_DOCKERFILE_CHECK: 'skip=all' })).toEqual([]);
    await expect(convert(`# check=error=true\n${text}`)).rejects.toThrow('lint violation found for rules: MaintainerDeprecated, JSONArgsRecommended');
  });
});

describe('FROM checks', () => {
  it('InvalidDefaultArgInFrom, RedundantTargetPlatform and InvalidBaseImagePlatform', async () => {
    const text = `ARG TAG\nFROM 127.0.0.1:5000/library/busybox:$TAG AS a\nFROM --platform=$TARGETPLATFORM ${BB}\n`;
    const res = await convert(text, { buildArgs: { TAG: 'latest' } });
    expect(res.warnings.map((w) => [w.rule, w.message, w.location?.line])).toEqual([
      ['InvalidDefaultArgInFrom', 'Default value for ARG 127.0.0.1:5000/library/busybox:$TAG results in empty or invalid base image name', 2],
      ['RedundantTargetPlatform', 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior', 3],
    ]);
    const { IMAGES } = await import('./fake-resolver.js');
    IMAGES['127.0.0.1:5000/test/arm:1'] = { ...IMAGES['127.0.0.1:5000/test/empty:1']!, architecture: 'arm64', rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64)] } };
    try {
      const arm = await convert('FROM 127.0.0.1:5000/test/arm:1\n');
      expect(arm.warnings).toContainEqual(expect.objectContaining({
        rule: 'InvalidBaseImagePlatform',
        message: 'Base image 127.0.0.1:5000/test/arm:1 was pulled with platform "linux/arm64", expected "linux/amd64" for current build',
      }));
    } finally {
      delete IMAGES['127.0.0.1:5000/test/arm:1'];
    }
  });
});
