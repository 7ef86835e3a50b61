// RUN heredoc lowering details checked against BuildKit's dispatchRun.
import { describe, expect, it } from 'vitest';
import { convert, opsOf } from './fake-resolver.js';

const BB = '127.0.0.1:5000/library/busybox:latest';

describe('RUN heredocs (dispatchRun)', () => {
  it('a <<- body whose #! line is tab-indented runs through the shell, not as a script', async () => {
    const res = await convert(`FROM ${BB}\nRUN <<-EOF\n\t#!/bin/sh\n\techo hi > /x\n\tEOF\nRUN <<-EOF\n#!/bin/sh\n\techo hi > /y\n\tEOF\n`);
    const runs = opsOf(res.definition).filter((o) => o.op.exec);
    // BuildKit checks strings.HasPrefix(c.Files[0].Data, "#!") on the body before chomping.
    expect(runs[0]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', '#!/bin/sh\necho hi > /x\n']);
    expect(runs[0]!.op.exec.mounts.some((m: { dest: string }) => m.dest === '/dev/pipes/')).toBe(false);
    expect(runs[1]!.op.exec.meta.args).toEqual(['/bin/sh', '-c', '/dev/pipes/EOF']);
    const script = opsOf(res.definition).find((o) => o.name === '[internal] preparing inline document')!.op.file.actions[0].action;
    expect(Buffer.from(script.data, 'base64').toString()).toBe('#!/bin/sh\necho hi > /y\n');
    expect(res.image.history?.map((h) => h.created_by).slice(-2)).toEqual([
      'RUN /bin/sh -c #!/bin/sh\necho hi > /x\n # buildkit',
      'RUN /bin/sh -c /dev/pipes/EOF # buildkit',
    ]);
  });
});
