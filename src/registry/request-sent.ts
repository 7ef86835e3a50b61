// "A registry request reached the kernel": lets a caller that started lookups early
// (cli/commands/build-base-prefetch.ts) wait for that before long synchronous work, so the
// registry answers meanwhile. Kept apart from http.ts, which loads node:http.

let waiters: Array<() => void> = [];

/** Resolves when the next request made after this call has been handed to the kernel. */
export function requestSent(): Promise<void> {
  return new Promise((resolve) => waiters.push(resolve));
}

/** Whether anyone waits (http.ts then listens for its request's 'finish'). */
export function requestSentWanted(): boolean {
  return waiters.length > 0;
}

export function notifyRequestSent(): void {
  const now = waiters;
  waiters = [];
  for (const w of now) w();
}
