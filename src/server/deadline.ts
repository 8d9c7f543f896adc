import { TaskwardenError } from '../core/errors.ts';

/**
 * Bounds how long a request handler may take, in real time: a transport guard (a stuck
 * database, a lock held too long) rather than domain time, which comes from the Clock. The
 * work is not cancelled, only no longer waited for: the caller gets 503 and may retry.
 */
export async function withDeadline<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TaskwardenError('deadline_exceeded', `${what} took longer than ${ms / 1000} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
