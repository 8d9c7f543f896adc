import type { ReactNode } from 'react';

/**
 * A list as a table: it scrolls sideways on narrow screens, each column has a header cell, and
 * `actions` adds a last column for the rows' buttons, named "Actions" for screen readers only.
 * The children are the body's rows.
 */
export function DataTable(props: { columns: readonly string[]; actions?: boolean; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {props.actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
