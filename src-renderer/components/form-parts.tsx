// What the Host and Join forms share: a labelled field with its hint and error, the name checks (the
// wire protocol's own rules), the server error shown next to its field, and where focus goes after
// a failed submit.
import { useEffect, useId, useState, type ReactNode, type RefObject } from 'react';
import { checkRoomName, checkUsername, describeNameProblem } from '../../src-shared/protocol/names.js';
import { ROOM_NAME_MAX_BYTES, USERNAME_MAX_BYTES } from '../../src-shared/protocol/limits.js';
import { explainError, type FormField, type PlainError } from '../error-words.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { ErrorDetails } from './ErrorDetails.js';

export type ShownError = Pick<PlainError, 'text' | 'details'>;

export function Field(props: {
  label: string;
  hint?: string;
  error?: ShownError | null;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} role="alert" className="field-error">
          <ErrorDetails error={props.error} />
        </p>
      )}
    </div>
  );
}

export function roomProblem(room: string): string | null {
  const p = checkRoomName(room);
  return p ? describeNameProblem('The room name', p, ROOM_NAME_MAX_BYTES) : null;
}

export function nameProblem(name: string): string | null {
  const p = checkUsername(name);
  return p ? describeNameProblem('The display name', p, USERNAME_MAX_BYTES) : null;
}

export function useDisplayName(): [string, (v: string) => void] {
  const saved = useChat((s) => s.prefs?.displayName ?? '');
  const [name, setName] = useState(saved);
  // Adjusted while rendering (not in an effect): the saved name fills an empty field once it loads.
  const [seenSaved, setSeenSaved] = useState(saved);
  if (saved !== seenSaved) {
    setSeenSaved(saved);
    if (saved && !name) setName(saved);
  }
  return [name, setName];
}

/** The last server failure of a form, in plain words and tied to a field when it concerns one. */
export function useServerError(): PlainError | null {
  const message = useChat((s) => s.formError);
  const code = useChat((s) => s.formErrorCode);
  return message ? explainError(code, message) : null;
}

/** Client-side problem first (after a submit), else the server's error when it names this field. */
export function errorFor(field: FormField, problem: string | null, touched: boolean, server: PlainError | null) {
  if (touched && problem) return { text: problem, details: null };
  return server?.field === field ? server : null;
}

export const FORM_ERROR_ID = 'form-error';

/** A failure that concerns no field of this form. Focusable, so a failed submit has somewhere to go. */
export function FormError({ error }: { error: PlainError | null }) {
  if (!error) return null;
  return (
    <p id={FORM_ERROR_ID} role="alert" className="form-error" tabIndex={-1}>
      <ErrorDetails error={error} />
    </p>
  );
}

/**
 * After a failed submit, focus goes to the field at fault (by its name) or the form's error line:
 * the disabled submit button would otherwise drop it to <body>. Runs after the error has rendered.
 */
export function useFocusAfterFailure(formRef: RefObject<HTMLFormElement | null>): (target: string) => void {
  const [request, setRequest] = useState<{ target: string } | null>(null);
  useEffect(() => {
    const { passwordPrompt, certificatePrompt } = chatStore.getState();
    if (!request || passwordPrompt || certificatePrompt) return;
    const form = formRef.current;
    const field = form?.elements.namedItem(request.target);
    const element = field instanceof HTMLElement ? field : document.getElementById(FORM_ERROR_ID);
    element?.focus();
  }, [request, formRef]);
  return (target) => setRequest({ target });
}

export function failedTarget(fields: readonly FormField[]): string {
  const { formError, formErrorCode } = chatStore.getState();
  const field = formError ? explainError(formErrorCode, formError).field : null;
  return field && fields.includes(field) ? field : FORM_ERROR_ID;
}

/** "Your display name", the same field in both forms (checked by the wire protocol's name rule). */
export function DisplayNameField(props: {
  value: string;
  onChange: (value: string) => void;
  error: ShownError | null;
}) {
  return (
    <Field label="Your display name" error={props.error}>
      {(id, d) => (
        <input
          id={id}
          name="username"
          dir="auto"
          aria-describedby={d}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          maxLength={64}
          aria-invalid={!!props.error}
        />
      )}
    </Field>
  );
}

/** The room password: "new" when hosting (browsers offer to generate one), "current" when joining. */
export function PasswordField(props: {
  label: string;
  hint?: string;
  purpose: 'new' | 'current';
  value: string;
  onChange: (value: string) => void;
  error: ShownError | null;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, d) => (
        <input
          id={id}
          name="password"
          aria-describedby={d}
          type="password"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          autoComplete={`${props.purpose}-password`}
        />
      )}
    </Field>
  );
}
