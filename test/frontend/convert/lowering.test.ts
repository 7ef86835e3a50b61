// How COPY/ADD, RUN (mounts, heredocs, flags), WORKDIR and ONBUILD lower into LLB ops.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convert, opsOf, TESTDATA } from './fake-resolver.js';

const BB = '127.0.0.1:5000/library/busybox:latest';
const caseText = (name: string) => readFileSync(`${TESTDATA}cases/${name}/Dockerfile`, 'utf8');
type Op = ReturnType<typeof opsOf>[number];
const byName = (ops: Op[], name: string) => {
  const found = ops.find((o) => o.name === name && !o.op.source);
  if (!found) throw new Error(`no op named ${name}: ${ops.map((o) => o.name).join(' | ')}`);
  return found;
};

describe('COPY and ADD', () => {
  it('copies from the context with BuildKit options, destinations resolved against WORKDIR', async () => {
    const res = await convert(caseText('copy-add'), { dockerignore: ['*.log', '!keep.log'] });
    const ops = opsOf(res.definition);
    const first = byName(ops, '[ 3/12] COPY src/ /opt/').op.file.actions[0].action;
    expect(first).toMatchObject({
      type: 'copy', src: '/src', dest: '/opt/', followSymlink: true, dirCopyContents: true,
      createDestPath: true, allowWildcard: true, allowEmptyWildcard: true,
    });
    expect(first.attemptUnpackDockerCompatibility).toBeUndefined();
    const owned = byName(ops, '[ 4/12] COPY --chown=1000:1000 --chmod=0640 a.txt b.txt ./conf/').op.file.actions;
    expect(owned).toHaveLength(2);
    expect(owned[1].action).toMatchObject({ src: '/b.txt', dest: '/app/conf/', mode: 0o640, owner: { user: { id: 1000 }, group: { id: 1000 } } });
    expect(byName(ops, '[ 5/12] COPY --chmod=u+x,g-w scripts/*.sh /usr/local/bin/').op.file.actions[0].action.modeStr).toBe('u+x,g-w');
    expect(byName(ops, '[ 6/12] COPY --exclude=*.md docs /docs').op.file.actions[0].action.excludePatterns).toEqual(['*.md']);
    expect(byName(ops, '[ 9/12] ADD vendor.tar.gz /vendor/').op.file.actions[0].action.attemptUnpackDockerCompatibility).toBe(true);

    const ctx = ops.find((o) => o.op.source?.identifier === 'local://context')!;
    expect(ctx.name).toBe('[internal] load build context');
    expect(JSON.parse(ctx.op.source.attrs['local.followpaths'])).toEqual(['a.txt', 'b.txt', 'docs', 'scripts/*.sh', 'src', 'vendor.tar.gz']);
    expect(JSON.parse(ctx.op.source.attrs['local.excludepatterns'])).toEqual(['*.log', '!keep.log']);
    expect(ctx.op.source.attrs['local.sharedkeyhint']).toBe('context');
  });

  it('ADD URLs become http sources (checksum kept, no unpack) and git URLs git sources', async () => {
    const ops = opsOf((await convert(caseText('copy-add'))).definition);
    const sources = ops.filter((o) => o.op.source).map((o) => o.op.source);
    const tool = sources.find((s) => s.identifier.startsWith('https://example.com/releases/'))!;
    expect(tool.attrs['http.filename']).toBe('tool-1.0.tar.gz');
    const file = sources.find((s) => s.identifier === 'https://example.com/file.txt')!;
    expect(file.attrs['http.checksum']).toBe('sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d');
    const add = byName(ops, '[ 7/12] ADD https://example.com/releases/tool-1.0.tar.gz?x=1 /tmp/').op.file.actions[0].action;
    expect(add).toMatchObject({ src: '/tool-1.0.tar.gz', dest: '/tmp/', createDestPath: true });
    expect(add.attemptUnpackDockerCompatibility).toBeUndefined();
    const gitSrc = sources.find((s) => s.identifier.startsWith('git://'))!;
    expect(gitSrc.identifier).toBe('git://github.com/moby/buildkit.git#v0.12.0:docs');
    await expect(convert(`FROM ${BB}\nCOPY https://example.com/x /x\n`)).rejects.toThrow("Dockerfile:2:1: source can't be a URL for COPY");
    await expect(convert(`FROM ${BB}\nADD --checksum=sha256:00 a.txt /a\n`)).rejects.toThrow('checksum requires HTTP(S) or Git sources');
    await expect(convert(`FROM ${BB}\nCOPY --chmod=999 a /a\n`)).rejects.toThrow("invalid chmod parameter: '999'. it should be octal string and between 0 and 07777");
  });

  it('heredoc files are created and copied; unquoted bodies are expanded, quoted ones are not', async () => {
    const ops = opsOf((await convert(caseText('copy-add'))).definition);
    const mkfiles = ops.filter((o) => o.op.file?.actions[0].action.type === 'mkfile').map((o) => o.op.file.actions[0].action);
    const text = (a: { data: string }) => Buffer.from(a.data, 'base64').toString();
    expect(mkfiles.map((a) => [a.path, text(a), a.mode])).toEqual([
      ['/EOF', 'Hello from src\n', 0o644],
      ['/EOF', 'not $EXPANDED\n', 0o644],
    ]);
    const res = await convert(caseText('copy-add'));
    expect(res.image.history!.slice(-2).map((h) => h.created_by)).toEqual(['COPY <<EOF /etc/motd # buildkit', 'COPY <<EOF /etc/literal # buildkit']);
  });

  it('--link copies onto scratch and merges; --parents keeps paths below the pivot', async () => {
    const ops = opsOf((await convert(caseText('link-parents'))).definition);
    const link = ops.find((o) => o.name === '[stage-1 2/5] LINK COPY --link a.txt /a/')!;
    expect(link.op.kind).toBe('merge');
    const layer = ops.find((o) => o.digest === link.op.inputs[1].digest)!;
    expect(layer.op.kind).toBe('file');
    expect(layer.op.inputs).toHaveLength(1); // only the context: the layer does not depend on the stage
    const chmodLink = byName(ops, '[stage-1 3/5] COPY --link --chmod=0755 run.sh /bin/');
    expect(chmodLink.op.kind).toBe('file'); // BuildKit does not link when --chmod is set
    const parents = byName(ops, '[stage-1 4/5] COPY --parents src/./app/**/*.go /code/').op.file.actions[0].action;
    expect(parents).toMatchObject({ src: '/src', includePatterns: ['app/**/*.go'], dest: '/code/' });
    expect(parents.requiredPaths).toBeUndefined();
    const required = ops.find((o) => o.op.file?.actions[0].action.includePatterns?.[0] === 'cmd/main.go')!.op.file.actions[0].action;
    expect(required).toMatchObject({ src: '/', requiredPaths: ['/cmd/main.go'] });
  });
});

describe('RUN', () => {
  it('wraps shell form with SHELL, carries env/cwd/user, and uses exec form as is', async () => {
    const res = await convert(`FROM ${BB}\nENV A=1\nWORKDIR /w\nUSER nobody\nRUN echo $A\nSHELL ["/bin/ash","-eo","pipefail","-c"]\nRUN ["/bin/echo", "x"]\nRUN false | true\n`);
    const runs = opsOf(res.definition).filter((o) => o.op.exec).map((o) => o.op.exec.meta);
    expect(runs[0]).toMatchObject({ args: ['/bin/sh', '-c', 'echo $A'], cwd: '/w', user: 'nobody' });
    expect(runs[0]!.env).toContain('A=1');
    expect(runs[1]!.args).toEqual(['/bin/echo', 'x']);
    expect(runs[2]!.args).toEqual(['/bin/ash', '-eo', 'pipefail', '-c', 'false | true']);
    const mkdir = opsOf(res.definition).find((o) => o.name === '[2/5] WORKDIR /w')!.op.file.actions[0].action;
    expect(mkdir).toMatchObject({ type: 'mkdir', path: '/w', mode: 0o755, makeParents: true });
    expect(mkdir.owner).toBeUndefined();
  });

  it('WORKDIR after USER creates the directory owned by that user', async () => {
    const res = await convert(`FROM ${BB}\nUSER 1000:1000\nWORKDIR /home/app\n`);
    const mkdir = opsOf(res.definition).find((o) => o.op.file)!.op.file.actions[0].action;
    expect(mkdir.owner).toEqual({ user: { id: 1000 }, group: { id: 1000 } });
  });

  it('lowers bind, cache, tmpfs, secret and ssh mounts as BuildKit', async () => {
    const ops = opsOf((await convert(caseText('run-mounts'))).definition);
    const run = ops.find((o) => o.name.startsWith('[stage-1 3/5] RUN'))!;
    const mounts = Object.fromEntries(run.op.exec.mounts.map((m: { dest: string }) => [m.dest, m]));
    expect(mounts['/ctx']).toMatchObject({ mountType: 'bind', readonly: true, selector: '/conf', output: -1 });
    expect(mounts['/src/deps']).toMatchObject({ mountType: 'bind', selector: '/deps', output: -1 });
    expect(mounts['/src/deps'].readonly).toBeUndefined();
    expect(mounts['/root/.cache']).toMatchObject({ mountType: 'cache', cacheOpt: { id: '/gocache', sharing: 'locked' } });
    expect(mounts['/var/cache/apt']).toMatchObject({ mountType: 'cache', selector: '/cache', cacheOpt: { id: '//var/cache/apt', sharing: 'shared' } });
    expect(mounts['/scratch']).toMatchObject({ mountType: 'tmpfs', tmpfsOpt: { size: 64 * 1024 * 1024 } });
    const perms = ops.find((o) => o.name === '[internal] setting cache mount permissions')!.op.file.actions[0].action;
    expect(perms).toMatchObject({ type: 'mkdir', path: '/cache', mode: 0o700, owner: { user: { id: 100 }, group: { id: 101 } } });

    const secret = ops.find((o) => o.name.startsWith('[stage-1 4/5] RUN'))!.op.exec;
    expect(secret.network).toBe('none');
    expect(secret.security).toBe('insecure');
    const sm = secret.mounts.filter((m: { mountType: string }) => m.mountType !== 'bind');
    expect(sm.map((m: { dest: string; mountType: string }) => [m.mountType, m.dest])).toEqual([
      ['secret', '/run/secrets/token'],
      ['ssh', '/run/buildkit/ssh_agent.0'],
    ]);
    expect(sm[0].secretOpt).toMatchObject({ id: 'token', mode: 0o400 });
    expect(sm[0].secretOpt.optional).toBeUndefined();
    expect(sm[1].sshOpt).toMatchObject({ id: 'default', mode: 0o600, optional: true });
    expect(secret.secretEnv).toEqual([{ id: 'aws', name: 'AWS_KEY', optional: true }]);
    expect(secret.meta.env).toContain('SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0');

    const fromImage = ops.find((o) => o.name.startsWith('[stage-1 5/5] RUN'))!;
    const m = fromImage.op.exec.mounts.find((x: { dest: string }) => x.dest === '/otherbin');
    const input = fromImage.op.inputs[m.input];
    expect(ops.find((o) => o.digest === input.digest)!.op.source.identifier).toMatch(/^docker-image:\/\/127\.0\.0\.1:5000\/library\/busybox:latest@/);
  });

  it('heredocs: a lone heredoc runs through the shell, #! scripts run directly, others go to the shell whole', async () => {
    const res = await convert(caseText('heredoc'));
    const runs = opsOf(res.definition).filter((o) => o.op.exec);
    expect(runs.map((r) => r.name)).toEqual([
      '[2/5] RUN <<EOF (echo hello world...)',
      '[3/5] RUN <<EOF (#!/bin/sh...)',
      '[4/5] RUN cat <<A > /a.txt && cat <<B > /b.txt',
      '[5/5] RUN <<-EOF (echo tab-stripped)',
    ]);
    expect(runs[0]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', 'echo hello $NAME\necho second line\n']);
    // BuildKit still prepends the shell: the script path is the shell's command.
    expect(runs[1]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', '/dev/pipes/EOF']);
    const pipe = runs[1]!.op.exec.mounts.find((m: { dest: string }) => m.dest === '/dev/pipes/');
    expect(pipe).toMatchObject({ readonly: true, selector: '/' });
    const script = opsOf(res.definition).find((o) => o.name === '[internal] preparing inline document')!.op.file.actions[0].action;
    expect(script).toMatchObject({ path: '/EOF', mode: 0o755 });
    expect(Buffer.from(script.data, 'base64').toString()).toBe('#!/bin/sh\necho from a script\n');
    expect(runs[2]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', 'cat <<A > /a.txt && cat <<B > /b.txt\nfirst\nA\nsecond\nB']);
    expect(runs[3]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', 'echo tab-stripped\n']);
  });
});

describe('ONBUILD', () => {
  it('runs a base image\'s triggers first (adding their --from stages) and drops them from the child', async () => {
    const res = await convert(caseText('onbuild'), { target: 'child' });
    const names = opsOf(res.definition).map((o) => o.name);
    expect(names).toContain('[child 2/5] ONBUILD RUN echo triggered 1');
    expect(names).toContain('[child 3/5] ONBUILD COPY --from=helper /h /h');
    expect(names).toContain('[child 4/5] RUN echo child');
    // Every trigger counts as a step, and FROM was named before they were added (as BuildKit).
    expect(names.find((n) => n.includes('FROM 127.0.0.1:5000/test/onbuild:1'))).toMatch(/^\[child 1\/2\] FROM/);
    expect(names).toContain('[helper 2/2] RUN echo h > /h');
    expect(res.image.config.OnBuild).toEqual(['RUN echo grandchild']);
    expect(res.image.config.Env).toContain('TRIGGERED=1');
  });

  it('a stage built FROM a stage with ONBUILD runs those triggers, which do not carry over', async () => {
    const res = await convert(caseText('onbuild'));
    const names = opsOf(res.definition).map((o) => o.name);
    expect(names).toContain('[stage-2 1/2] ONBUILD RUN echo grandchild');
    expect(res.image.config.OnBuild).toBeNull();
  });

  it('a trigger that does not parse is reported at the FROM line', async () => {
    const { IMAGES } = await import('./fake-resolver.js');
    IMAGES['127.0.0.1:5000/test/bad-onbuild:1'] = { ...IMAGES['127.0.0.1:5000/test/onbuild:1']!, config: { OnBuild: ['NOPE x'] } };
    try {
      await expect(convert('FROM 127.0.0.1:5000/test/bad-onbuild:1\n')).rejects.toThrow(/^Dockerfile:1:1: unknown instruction: NOPE/);
    } finally {
      delete IMAGES['127.0.0.1:5000/test/bad-onbuild:1'];
    }
  });
});
