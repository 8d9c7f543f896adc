/**
 * The longest the event loop went without a turn while `work` ran: the worst lateness of an
 * interval of `everyMs`, up to the work's end (a block just before it ends counts too). A
 * failure of `work` ends the watch as its success does.
 */
export async function longestStall(work: Promise<unknown>, everyMs = 5): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, everyMs);
  try {
    await work.catch(() => {});
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}
