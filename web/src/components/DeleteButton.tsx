import type { ReactNode } from 'react';
import { type ApiError, del } from '../api/client.ts';

/**
 * A danger button that deletes (or revokes) one thing with DELETE `path`, after the browser's
 * confirmation when `confirm` is given; then `onDone` (e.g. reload the list) or `onError`.
 */
export function DeleteButton(props: {
  path: string;
  confirm?: string;
  onDone(): void;
  onError(error: ApiError): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="danger"
      onClick={() => {
        if (props.confirm !== undefined && !window.confirm(props.confirm)) return;
        del(props.path).then(props.onDone, props.onError);
      }}
    >
      {props.children}
    </button>
  );
}
