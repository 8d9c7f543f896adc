import type { FormEvent, ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';
import { ErrorNote } from './ui.tsx';

/** Filters that apply as they change: the form only groups and names them (Enter must not reload the page). */
export function FilterForm({ label, children }: { label: string; children: ReactNode }) {
  return (
    <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={label}>
      {children}
    </form>
  );
}

/** A form on its own card, named by its heading (e.g. "Add a user" under the users), its error below. */
export function CardForm(props: {
  /** The heading's id, which names the form. */
  titleId: string;
  title: string;
  /** The heading level: 3 when the card sits under a section's h2. */
  level?: 2 | 3;
  onSubmit(event: FormEvent): void;
  error: ApiError | null;
  children: ReactNode;
}) {
  const Heading = props.level === 3 ? 'h3' : 'h2';
  return (
    <form className="card" onSubmit={props.onSubmit} aria-labelledby={props.titleId}>
      <Heading id={props.titleId}>{props.title}</Heading>
      {props.children}
      <ErrorNote error={props.error} />
    </form>
  );
}
