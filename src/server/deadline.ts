import { TaskwardenError } from '../core/errors.ts';

/**
 * Bounds how long a request handler may take, in real time: a transport guard (a stuck
 * database, a lock held too long) rather than domain time, which comes from the Clock. The
 * work is not cancelled, only no longer waited for: the caller gets 503 and may retry.
 * One promise and one timer (every agent call makes one): no race between two promises.
 */
export function withDeadline<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TaskwardenError('deadline_exceeded', `${what} took longer than ${ms / 1000} s`)),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
