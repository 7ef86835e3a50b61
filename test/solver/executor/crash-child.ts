// Child process for the crash test: prepares a snapshot and runs a long RUN step, then gets
// killed with SIGKILL by the test. Arguments: <snapshot root> <chain as JSON>.
import { runContainer } from '../../../src/solver/executor/run-container.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';

const [root, chain] = process.argv.slice(2);
const snapshots = await Snapshotter.open(root as string, { kind: 'overlay' });
const snap = await snapshots.prepare(JSON.parse(chain as string) as string[]);
await runContainer({
  rootfs: snap.mountpoint, args: ['/bin/sh', '-c', 'echo ready; sleep 30'],
  stdout: (d) => process.stdout.write(d),
});
