import { describe, expect, it } from 'vitest';
import { parseInstruction } from '../../../src/frontend/dockerfile/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { FILE, errorOf, makeNode, parse, reasonOf } from './helpers.js';

const reasonOfNode = (node: ReturnType<typeof makeNode>): string =>
  errorOf(() => parseInstruction(node, { file: FILE, source: node.original })).reason;

describe('FROM', () => {
  it('reads the base, a lowercased stage name with AS in any case, and --platform', () => {
    const c = parse('FROM --platform=$BUILDPLATFORM golang:1.22 As Builder', 'from');
    expect(c).toMatchObject({ baseName: 'golang:1.22', stageName: 'builder', platform: '$BUILDPLATFORM' });
    expect(c.original).toBe('FROM --platform=$BUILDPLATFORM golang:1.22 As Builder');
    expect(parse('from alpine', 'from')).toMatchObject({ baseName: 'alpine', stageName: '', platform: '' });
    expect(parse('FROM a as x.y-z_1', 'from').stageName).toBe('x.y-z_1');
  });

  it('rejects wrong argument counts and invalid stage names as BuildKit does', () => {
    expect(reasonOf('FROM a b')).toBe('FROM requires either one or three arguments');
    expect(reasonOf('FROM a AS b c')).toBe('FROM requires either one or three arguments');
    expect(reasonOf('FROM a FOR b')).toBe('FROM requires either one or three arguments');
    expect(reasonOf('FROM a AS 1st')).toBe('invalid name for build stage: "1st", name can\'t start with a number or contain symbols');
    expect(reasonOf('FROM a AS Bad$Name')).toBe(
      'invalid name for build stage: "Bad$Name", name can\'t start with a number or contain symbols',
    );
    expect(reasonOfNode(makeNode('from', []))).toBe('FROM requires either one or three arguments');
    expect(reasonOf('FROM --platform alpine')).toBe('missing a value on flag: --platform');
  });

  it('keeps the doc comment for the stage', () => {
    expect(parse('# builder compiles the app\nFROM golang AS builder', 'from').comment).toBe('compiles the app');
  });
});

describe('RUN', () => {
  it('keeps shell form as one string and marks it for the SHELL', () => {
    const c = parse('RUN echo "a  b" && \\\n  true', 'run');
    expect(c.cmdLine).toEqual(['echo "a  b" &&   true']);
    expect(c.prependShell).toBe(true);
    expect(c).toMatchObject({ network: 'default', security: 'sandbox', mountSpecs: [], mounts: [], files: [] });
  });

  it('keeps exec form element by element', () => {
    const c = parse('RUN ["echo", "$HOME", "a b"]', 'run');
    expect(c.cmdLine).toEqual(['echo', '$HOME', 'a b']);
    expect(c.prependShell).toBe(false);
  });

  it('carries heredoc bodies as inline files', () => {
    const c = parse('RUN <<EOF\necho hi\nEOF', 'run');
    expect(c.cmdLine).toEqual(['<<EOF']);
    expect(c.files).toEqual([{ name: 'EOF', data: 'echo hi\n', chomp: false }]);
    const two = parse('RUN <<-A cat - <<"B"\n\tone\n\tA\ntwo\nB', 'run');
    expect(two.files).toEqual([
      { name: 'A', data: '\tone\n', chomp: true },
      { name: 'B', data: 'two\n', chomp: false },
    ]);
  });

  it('reads --network and --security', () => {
    expect(parse('RUN --network=none true', 'run').network).toBe('none');
    expect(parse('RUN --network=host true', 'run').network).toBe('host');
    expect(parse('RUN --network=default true', 'run').network).toBe('default');
    expect(parse('RUN --security=insecure true', 'run').security).toBe('insecure');
    expect(parse('RUN --security=sandbox true', 'run').security).toBe('sandbox');
    expect(parse('RUN --network=none --security=insecure true', 'run').flagsUsed).toEqual(['network', 'security']);
    expect(reasonOf('RUN --network=bridge true')).toBe('invalid network mode "bridge"');
    expect(reasonOf('RUN --security=privileged true')).toBe('security "privileged" is not valid');
    expect(reasonOf('RUN --network=none --network=host true')).toBe('duplicate flag specified: --network');
  });

  it('collects every --mount in order', () => {
    const c = parse('RUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/b true', 'run');
    expect(c.mountSpecs).toEqual(['type=cache,target=/a', 'type=tmpfs,target=/b']);
    expect(c.mounts?.map((m) => [m.type, m.target])).toEqual([
      ['cache', '/a'],
      ['tmpfs', '/b'],
    ]);
  });
});

describe('CMD / ENTRYPOINT / SHELL', () => {
  it('CMD in both forms', () => {
    expect(parse('CMD ["nginx", "-g", "daemon off;"]', 'cmd')).toMatchObject({
      cmdLine: ['nginx', '-g', 'daemon off;'],
      prependShell: false,
    });
    expect(parse('CMD nginx -g "daemon off;"', 'cmd')).toMatchObject({ cmdLine: ['nginx -g "daemon off;"'], prependShell: true });
    expect(parse('CMD []', 'cmd').cmdLine).toEqual([]);
    // Invalid JSON falls back to shell form.
    expect(parse("CMD ['a','b']", 'cmd')).toMatchObject({ cmdLine: ["['a','b']"], prependShell: true });
  });

  it('ENTRYPOINT: an empty one is null (it resets the entrypoint)', () => {
    expect(parse('ENTRYPOINT ["/init"]', 'entrypoint').cmdLine).toEqual(['/init']);
    expect(parse('ENTRYPOINT /init --x', 'entrypoint')).toMatchObject({ cmdLine: ['/init --x'], prependShell: true });
    expect(parse('ENTRYPOINT []', 'entrypoint').cmdLine).toBeNull();
  });

  it('SHELL requires JSON form and at least one element', () => {
    expect(parse('SHELL ["powershell", "-Command"]', 'shell').shell).toEqual(['powershell', '-Command']);
    expect(reasonOf('SHELL powershell -Command')).toBe('SHELL requires the arguments to be in JSON form');
    expect(reasonOf('SHELL []')).toBe('SHELL requires at least one argument');
    expect(reasonOf('SHELL ["c:\\windows\\cmd.exe", "/S"]')).toContain(
      'SHELL requires the arguments to be in JSON form. It looks like',
    );
  });
});

describe('COPY / ADD', () => {
  it('COPY: sources, destination and every flag', () => {
    const c = parse(
      'COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md --exclude=tmp a b /dst/',
      'copy',
    );
    expect(c).toMatchObject({
      sourcePaths: ['a', 'b'],
      destPath: '/dst/',
      sourceContents: [],
      from: 'build',
      chown: 'app:app',
      chmod: '0755',
      link: true,
      parents: true,
      excludePatterns: ['*.md', 'tmp'],
    });
    expect(parse('COPY a b', 'copy')).toMatchObject({ from: '', chown: '', chmod: '', link: false, parents: false, excludePatterns: [] });
    expect(parse('COPY --link=false a b', 'copy').link).toBe(false);
  });

  it('COPY: JSON form keeps spaces in paths', () => {
    expect(parse('COPY ["a b", "c", "/d e/"]', 'copy')).toMatchObject({ sourcePaths: ['a b', 'c'], destPath: '/d e/' });
  });

  it('ADD: --checksum, --keep-git-dir and --unpack', () => {
    const c = parse('ADD --checksum=sha256:abc --keep-git-dir --link https://x/y.tar.gz /src/', 'add');
    expect(c).toMatchObject({ sourcePaths: ['https://x/y.tar.gz'], destPath: '/src/', checksum: 'sha256:abc', keepGitDir: true, link: true });
    expect(c.unpack).toBeUndefined();
    expect(parse('ADD --unpack=false a.tar /x', 'add').unpack).toBe(false);
    expect(parse('ADD --unpack a.tar /x', 'add').unpack).toBe(true);
    expect(parse('ADD --exclude=a --exclude=b . /x', 'add').excludePatterns).toEqual(['a', 'b']);
  });

  it('needs at least two arguments', () => {
    for (const cmd of ['COPY', 'ADD']) {
      expect(reasonOf(`${cmd} onlyone`)).toBe(
        `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`,
      );
    }
    // BuildKit's copyEmptyWhitespace case: the first instruction is a bare `COPY\t`.
    const text = 'COPY\t\n\t\tquux \\\n      bar';
    const first = parseDockerfile(text).children[0]!;
    expect(reasonOfNode(first)).toMatch(/^COPY requires at least two arguments/);
  });

  it('turns heredoc sources into files, honouring <<- and quoted delimiters', () => {
    const c = parse('COPY <<A <<-"B" plain /dst/\nhello $X\nA\n\t\tworld\n\tB', 'copy');
    expect(c.sourcePaths).toEqual(['plain']);
    expect(c.destPath).toBe('/dst/');
    expect(c.sourceContents).toEqual([
      { path: 'A', data: 'hello $X\n', expand: true },
      { path: 'B', data: 'world\n', expand: false },
    ]);
  });

  it('rejects a heredoc as the destination', () => {
    expect(reasonOf('COPY a <<EOF\nx\nEOF')).toBe('COPY cannot accept a heredoc as a destination');
  });
});

describe('ENV / LABEL', () => {
  it('reads key=value pairs and the legacy form', () => {
    expect(parse('ENV A=1 B="two words" C=', 'env').env).toEqual([
      { key: 'A', value: '1', noDelim: false },
      { key: 'B', value: '"two words"', noDelim: false },
      { key: 'C', value: '', noDelim: false },
    ]);
    expect(parse('ENV PATH /usr/local/bin:$PATH', 'env').env).toEqual([
      { key: 'PATH', value: '/usr/local/bin:$PATH', noDelim: true },
    ]);
    expect(parse('LABEL org.opencontainers.image.title="Slipway" version=1', 'label').labels).toEqual([
      { key: 'org.opencontainers.image.title', value: '"Slipway"', noDelim: false },
      { key: 'version', value: '1', noDelim: false },
    ]);
  });

  it('rejects blank names, no arguments and malformed triples', () => {
    expect(reasonOf('ENV =x')).toBe('ENV names can not be blank');
    expect(reasonOf('LABEL =x')).toBe('LABEL names can not be blank');
    expect(reasonOfNode(makeNode('env', []))).toBe('ENV requires at least one argument');
    expect(reasonOfNode(makeNode('label', []))).toBe('LABEL requires at least one argument');
    expect(reasonOfNode(makeNode('env', ['a', 'b']))).toBe('Bad input to ENV, too many arguments');
    expect(reasonOfNode(makeNode('label', ['a', 'b', '=', 'c']))).toBe('Bad input to LABEL, too many arguments');
  });
});

describe('ARG', () => {
  it('reads names with optional defaults, several per line, quotes kept raw', () => {
    expect(parse('ARG A B=2 C="x y" D=', 'arg').args).toEqual([
      { key: 'A', value: undefined, comment: '' },
      { key: 'B', value: '2', comment: '' },
      { key: 'C', value: '"x y"', comment: '' },
      { key: 'D', value: '', comment: '' },
    ]);
    expect(parse('ARG V=a=b', 'arg').args[0]).toEqual({ key: 'V', value: 'a=b', comment: '' });
  });

  it('keeps the doc comment and rejects blank names', () => {
    expect(parse('# VERSION the release to build\nARG VERSION=1', 'arg').args[0]!.comment).toBe('the release to build');
    expect(reasonOf('ARG =x')).toBe('ARG names can not be blank');
    expect(reasonOfNode(makeNode('arg', []))).toBe('ARG requires at least one argument');
  });
});

describe('WORKDIR / USER / STOPSIGNAL / MAINTAINER', () => {
  it('take exactly one argument', () => {
    expect(parse('WORKDIR /app/$X', 'workdir').path).toBe('/app/$X');
    expect(parse('USER app:app', 'user').user).toBe('app:app');
    expect(parse('STOPSIGNAL SIGQUIT', 'stopsignal').signal).toBe('SIGQUIT');
    expect(parse('MAINTAINER Jane Doe <jane@example.com>', 'maintainer').maintainer).toBe('Jane Doe <jane@example.com>');
    for (const cmd of ['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']) {
      expect(reasonOf(cmd), cmd).toBe(`${cmd} requires exactly one argument`);
    }
  });
});

describe('EXPOSE / VOLUME', () => {
  it('EXPOSE keeps the words, sorted as BuildKit does', () => {
    expect(parse('EXPOSE 8080 443/tcp 53/udp $PORT', 'expose').ports).toEqual(['$PORT', '443/tcp', '53/udp', '8080']);
    expect(reasonOf('EXPOSE')).toBe('EXPOSE requires at least one argument');
  });

  it('VOLUME in JSON or word form; empty entries are errors', () => {
    expect(parse('VOLUME /data /logs', 'volume').volumes).toEqual(['/data', '/logs']);
    expect(parse('VOLUME ["/data", " /x "]', 'volume').volumes).toEqual(['/data', '/x']);
    expect(reasonOf('VOLUME ["/data", " "]')).toBe('VOLUME specified can not be an empty string');
    expect(reasonOf('VOLUME')).toBe('VOLUME requires at least one argument');
    expect(reasonOf('VOLUME []')).toBe('VOLUME requires at least one argument');
  });
});

describe('ONBUILD / MAINTAINER', () => {
  it('keeps the trigger expression, heredoc bodies included', () => {
    const c = parse('ONBUILD RUN echo "hi"', 'onbuild');
    expect(c).toMatchObject({ trigger: 'RUN', expression: 'RUN echo "hi"' });
    expect(parse('onbuild copy . /app', 'onbuild')).toMatchObject({ trigger: 'COPY', expression: 'copy . /app' });
    const h = parse('ONBUILD RUN <<EOF\necho hi\nEOF', 'onbuild');
    expect(h.expression).toBe('RUN <<EOF\necho hi\nEOF');
  });

  it('rejects chaining and forbidden triggers', () => {
    expect(reasonOf('ONBUILD ONBUILD RUN touch foobar')).toBe('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    expect(reasonOf('ONBUILD FROM scratch')).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(reasonOf('ONBUILD MAINTAINER docker.io')).toBe("MAINTAINER isn't allowed as an ONBUILD trigger");
    expect(reasonOfNode(makeNode('onbuild', []))).toBe('ONBUILD requires at least one argument');
  });
});

describe('bare keywords (BuildKit parse_test.go)', () => {
  it('give BuildKit\'s argument-count errors', () => {
    for (const cmd of ['ENV', 'LABEL', 'ONBUILD', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ARG', 'SHELL']) {
      expect(reasonOf(cmd), cmd).toBe(`${cmd} requires at least one argument`);
    }
    for (const cmd of ['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']) {
      expect(reasonOf(cmd), cmd).toBe(`${cmd} requires exactly one argument`);
    }
    for (const cmd of ['ADD', 'COPY']) {
      expect(reasonOf(`${cmd} arg1`), cmd).toBe(
        `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`,
      );
    }
    expect(reasonOf('FROM')).toBe('FROM requires either one or three arguments');
    // RUN, CMD and ENTRYPOINT accept an empty command line at this level.
    expect(parse('RUN', 'run').cmdLine).toEqual([]);
    expect(parse('CMD', 'cmd').cmdLine).toEqual([]);
    expect(parse('ENTRYPOINT', 'entrypoint').cmdLine).toBeNull();
  });
});

describe('unknown instructions', () => {
  it('names the keyword as written and suggests a close one', () => {
    expect(reasonOf('RUNN echo')).toBe('unknown instruction: RUNN (did you mean RUN?)');
    expect(reasonOf('copyy a b')).toBe('unknown instruction: copyy (did you mean copy?)');
    expect(reasonOf('Entrypoynt x')).toBe('unknown instruction: Entrypoynt (did you mean entrypoint?)');
    expect(reasonOf('FOO bar')).toBe('unknown instruction: FOO (did you mean FROM?)');
    expect(reasonOf('BOGUS nope')).toBe('unknown instruction: BOGUS');
    expect(reasonOf('TOSTRING x')).toBe('unknown instruction: TOSTRING');
  });
});
