// Whether a process id belongs to a live process: temp dirs and container ids carry their
// owner's pid so that leftovers of crashed builds can be recognised and removed.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
