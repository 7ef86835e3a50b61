// Declares Docker's image commands (`images`, `tag`, `rmi`, `history`, `inspect`, `save`,
// `load`, `import`, `image …`, `system df`). Each action loads its module only when it runs.
import { Command, InvalidArgumentError } from 'commander';
import { globalsOf } from '../context.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Go-style boolean flag values (`-H=false`, `--human=0`). */
function parseBoolFlag(v: string): boolean {
  const s = v.replace(/^=/, '').toLowerCase();
  if (['true', '1', 't'].includes(s)) return true;
  if (['false', '0', 'f'].includes(s)) return false;
  throw new InvalidArgumentError(`invalid boolean value "${v}"`);
}

/** The `image` command group (shared with pull/push registration: get or create). */
export function imageGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'image') ??
    program.command('image').description('Manage images (ls, rm, tag, history, inspect, save, load, import, prune)')
  );
}

/** The `system` command group (get or create). */
export function systemGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'system') ?? program.command('system').description('Manage Slipway (df, prune)');
}

export function registerImageCommands(program: Command): void {
  const image = imageGroup(program);

  const defineLs = (cmd: Command): Command =>
    cmd
      .description('List images')
      .argument('[repository]', 'Show only images matching REPOSITORY[:TAG]')
      .option('-a, --all', 'Show all images (default hides intermediate images)')
      .option('-q, --quiet', 'Only show image IDs')
      .option('--digests', 'Show digests')
      .option('--no-trunc', "Don't truncate output")
      .option('-f, --filter <filter>', 'Filter output based on conditions provided (dangling, label, before, since, reference)', collect, [])
      .option('--format <string>', "Format output using a Go template subset, 'table …' or 'json'")
      .action(async (repository: string | undefined, opts, cmd: Command) => {
        const { runImages } = await import('./images.js');
        await runImages(globalsOf(cmd).root, repository, opts);
      });
  defineLs(program.command('images'));
  defineLs(image.command('ls').alias('list'));

  const defineTag = (cmd: Command): Command =>
    cmd
      .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
      .argument('<source>', 'SOURCE_IMAGE[:TAG]')
      .argument('<target>', 'TARGET_IMAGE[:TAG]')
      .action(async (source: string, target: string, _opts, cmd: Command) => {
        const { runTag } = await import('./tag.js');
        await runTag(globalsOf(cmd).root, source, target);
      });
  defineTag(program.command('tag'));
  defineTag(image.command('tag'));

  const defineRm = (cmd: Command): Command =>
    cmd
      .description('Remove one or more images')
      .argument('<images...>', 'IMAGE [IMAGE...]')
      .option('-f, --force', 'Force removal of the image')
      .option('--no-prune', 'Do not delete untagged parents (accepted; Slipway images have no parent images)')
      .action(async (images: string[], opts, cmd: Command) => {
        const { runRmi } = await import('./rmi.js');
        await runRmi(globalsOf(cmd).root, images, opts);
      });
  defineRm(program.command('rmi'));
  defineRm(image.command('rm').alias('remove'));

  const defineHistory = (cmd: Command): Command =>
    cmd
      .description('Show the history of an image')
      .argument('<image>', 'IMAGE')
      .option('-H, --human [bool]', 'Print sizes and dates in human readable format (default true; --human=false for bytes and RFC 3339)', parseBoolFlag, true)
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs')
      .option('--format <string>', "Format output using a Go template subset, 'table …' or 'json'")
      .action(async (img: string, opts, cmd: Command) => {
        const { runHistory } = await import('./history.js');
        await runHistory(globalsOf(cmd).root, img, opts);
      });
  defineHistory(program.command('history'));
  defineHistory(image.command('history'));

  const defineInspect = (cmd: Command): Command =>
    cmd
      .description('Display detailed information on one or more images')
      .argument('<images...>', 'IMAGE [IMAGE...]')
      .option('-f, --format <string>', 'Format output using a Go template subset')
      .action(async (images: string[], opts, cmd: Command) => {
        const { runInspect } = await import('./inspect.js');
        await runInspect(globalsOf(cmd).root, images, opts);
      });
  defineInspect(program.command('inspect'));
  defineInspect(image.command('inspect'));

  const defineSave = (cmd: Command): Command =>
    cmd
      .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
      .argument('<images...>', 'IMAGE [IMAGE...]')
      .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
      .action(async (images: string[], opts, cmd: Command) => {
        const { runSave } = await import('./save.js');
        await runSave(globalsOf(cmd).root, images, opts);
      });
  defineSave(program.command('save'));
  defineSave(image.command('save'));

  const defineLoad = (cmd: Command): Command =>
    cmd
      .description('Load an image from a tar archive or STDIN (docker-archive or OCI archive, optionally gzipped)')
      .option('-i, --input <file>', 'Read from tar archive file, instead of STDIN')
      .option('-q, --quiet', 'Suppress the load output')
      .action(async (opts, cmd: Command) => {
        const { runLoad } = await import('./load.js');
        await runLoad(globalsOf(cmd).root, opts);
      });
  defineLoad(program.command('load'));
  defineLoad(image.command('load'));

  const defineImport = (cmd: Command): Command =>
    cmd
      .description('Import the contents from a tarball to create a filesystem image')
      .argument('<source>', 'file|URL|- (a rootfs tar, optionally gzipped)')
      .argument('[repository]', 'REPOSITORY[:TAG]')
      .option('-c, --change <instruction>', 'Apply Dockerfile instruction to the created image (CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD STOPSIGNAL USER VOLUME WORKDIR)', collect, [])
      .option('-m, --message <message>', 'Set commit message for imported image')
      .option('--platform <platform>', 'Set platform (os/arch) of the imported image')
      .action(async (source: string, repository: string | undefined, opts, cmd: Command) => {
        const { runImport } = await import('./import.js');
        await runImport(globalsOf(cmd).root, source, repository, opts);
      });
  defineImport(program.command('import'));
  defineImport(image.command('import'));

  image
    .command('prune')
    .description('Remove unused images (dangling ones; all unused with -a)')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (label=…, until=…)', collect, [])
    .action(async (opts, cmd: Command) => {
      const { runPrune } = await import('./prune.js');
      await runPrune(globalsOf(cmd).root, opts);
    });

  systemGroup(program)
    .command('df')
    .description('Show disk usage (images and build cache)')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .option('--format <string>', "Format output using a Go template subset, 'table …' or 'json'")
    .action(async (opts, cmd: Command) => {
      const { runDf } = await import('./df.js');
      await runDf(globalsOf(cmd).root, opts);
    });
}
