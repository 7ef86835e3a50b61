// A build's lease on the blobs it reads (base-image manifests, configs, layers), taken only
// once the build first needs one: a fully cached build writes no lease file at all.
import { Lease } from '../store/leases.js';

export class BuildLease {
  private lease: Promise<Lease> | undefined;

  constructor(readonly root: string) {}

  async add(digests: Iterable<string>): Promise<void> {
    this.lease ??= Lease.acquire(this.root);
    await (await this.lease).add(digests);
  }

  async release(): Promise<void> {
    if (this.lease) await (await this.lease).release();
  }
}
