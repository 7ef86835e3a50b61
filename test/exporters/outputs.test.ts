import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { parseOutput, parseOutputs, splitCsv } from '../../src/exporters/outputs.js';

describe('parseOutputs (buildx -o syntax)', () => {
  it('splits CSV like Go, with quotes protecting commas', () => {
    expect(splitCsv('type=image,"name=a,b",push=true')).toEqual(['type=image', 'name=a,b', 'push=true']);
    expect(splitCsv('a=1,"b=x""y"')).toEqual(['a=1', 'b=x"y']);
  });

  it('type=image with several names and push', () => {
    const o = parseOutput('type=image,name=a,b,push=true');
    expect(o).toMatchObject({ type: 'image', names: ['a', 'b'], push: true, tar: true, ociMediaTypes: true, compression: { type: 'gzip' } });
    expect(parseOutput('type=image,"name=x:1,y:2"').names).toEqual(['x:1', 'y:2']);
  });

  it('type=registry pushes; --push turns image outputs into pushes; -t fills names', () => {
    expect(parseOutputs(['type=registry'], { tags: ['r:1'] })[0]).toMatchObject({ type: 'registry', push: true, names: ['r:1'] });
    expect(parseOutputs([], { tags: ['t:1', 't:2'] })).toMatchObject([{ type: 'image', names: ['t:1', 't:2'], push: false }]);
    expect(parseOutputs([], { tags: ['t:1'], push: true })).toMatchObject([{ type: 'image', push: true }]);
    expect(parseOutputs([])).toEqual([]);
    expect(parseOutputs(['type=image,name=own'], { tags: ['t'] })[0]!.names).toEqual(['own']);
  });

  it('oci, docker, local and tar destinations; shorthands', () => {
    expect(parseOutput('type=oci,dest=x.tar')).toMatchObject({ type: 'oci', dest: 'x.tar', tar: true });
    expect(parseOutput('type=oci,tar=false,dest=dir')).toMatchObject({ type: 'oci', dest: 'dir', tar: false });
    expect(parseOutput('type=docker,dest=x.tar')).toMatchObject({ type: 'docker', dest: 'x.tar' });
    expect(parseOutput('type=docker').dest).toBeUndefined();
    expect(parseOutput('type=local,dest=out')).toMatchObject({ type: 'local', dest: 'out' });
    expect(parseOutput('type=tar,dest=-')).toMatchObject({ type: 'tar', dest: '-' });
    expect(parseOutput('out/dir')).toMatchObject({ type: 'local', dest: 'out/dir' });
    expect(parseOutput('-')).toMatchObject({ type: 'tar', dest: '-' });
  });

  it('compression, level, force, media types, timestamps, annotations', () => {
    const o = parseOutput('type=image,compression=zstd,compression-level=19,force-compression=true,rewrite-timestamp=true,annotation.org.opencontainers.image.title=T,annotation-manifest.k=v,annotation-manifest-descriptor.d=1,annotation-index.i=2,annotation[linux/amd64].p=3');
    expect(o.compression).toEqual({ type: 'zstd', level: 19, force: true });
    expect(o.ociMediaTypes).toBe(true);
    expect(o.rewriteTimestamp).toBe(true);
    expect(o.manifestAnnotations).toEqual({ 'org.opencontainers.image.title': 'T', k: 'v', p: '3' });
    expect(o.descriptorAnnotations).toEqual({ d: '1' });
    expect(o.indexAnnotations).toEqual({ i: '2' });
    expect(parseOutput('type=image,oci-mediatypes=false').ociMediaTypes).toBe(false);
    expect(parseOutput('type=image,compression=uncompressed').compression).toEqual({ type: 'uncompressed' });
    expect(parseOutput('type=image,compression=gzip,compression-level=0').compression).toEqual({ type: 'gzip', level: 0 });
  });

  it.each([
    ['type=bogus', /unknown type "bogus"/],
    ['dest=x', /missing type=/],
    ['type=local', /type=local needs dest=DIR/],
    ['type=tar', /type=tar needs dest=FILE\|-/],
    ['type=oci', /type=oci needs dest=/],
    ['type=image,compression=lz4', /compression=lz4: expected gzip, zstd or uncompressed/],
    ['type=image,compression-level=x', /compression-level=x: expected a number/],
    ['type=image,compression=gzip,compression-level=12', /gzip levels go from 0 to 9/],
    ['type=image,push=maybe', /push=maybe: expected true or false/],
    ['type=image,frobnicate=1', /unknown option "frobnicate"/],
    ['type=local,dest=x,name=a', /name= does not apply to type=local/],
    ['type=image,compression=zstd,oci-mediatypes=false', /zstd needs oci-mediatypes=true/],
    ['type=image,name=UPPER/Case', /name "UPPER\/Case"/],
    ['type=oci,tar=false,dest=-', /tar=false needs a directory/],
    ['type=image,"name=a', /unterminated quote/],
    ['type=docker,dest=x.tar,compression=zstd', /type=docker archives hold plain tar layers/],
    ['type=image,stray', /invalid value "stray"/],
  ])('%s is a usage error naming the bad part', (spec, re) => {
    let err: unknown;
    try {
      parseOutputs([spec]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(re);
  });

  it('push without a name, two stdout outputs, bad -t are usage errors', () => {
    expect(() => parseOutputs(['type=registry'])).toThrow(/push=true needs a name/);
    expect(() => parseOutputs(['-', 'type=oci,dest=-'])).toThrow(/only one output can write to stdout/);
    expect(() => parseOutputs([], { tags: ['bad tag'] })).toThrow(UsageError);
  });
});
