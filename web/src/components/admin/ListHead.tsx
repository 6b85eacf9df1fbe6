// The head of an administration list: its title, a "New …" button while no form is open, a hint,
// what the last change did, and what failed.

import { ErrorAlert } from '../ErrorAlert';

export function ListHead(props: {
  titleId: string;
  title: string;
  hint: string;
  /** The "New …" button's label; no button while a form is open (`onNew` null). */
  newLabel: string;
  onNew: (() => void) | null;
  notice: string | null;
  error: string | null;
}) {
  return (
    <>
      <div class="card-head">
        <h2 id={props.titleId} class="section-title">
          {props.title}
        </h2>
        {props.onNew && (
          <button type="button" class="btn btn-primary btn-small" onClick={props.onNew}>
            {props.newLabel}
          </button>
        )}
      </div>
      <p class="muted small">{props.hint}</p>
      {props.notice && (
        <p class="saved" role="status">
          {props.notice}
        </p>
      )}
      <ErrorAlert text={props.error} />
    </>
  );
}
