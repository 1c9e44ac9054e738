// Modal password prompt for protected rooms; a wrong password keeps the dialog open with an error.
// Tab stays inside it, Escape cancels, and closing gives focus back to the control that opened it.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { UserText } from './UserText.js';

const FOCUSABLE = 'button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea, [tabindex="0"]';

/** Keeps Tab and Shift+Tab cycling through the dialog's own controls. */
export function trapTab(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'Tab') return;
  // Sorted: not every DOM implementation returns a selector list's matches in document order.
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].sort((a, b) =>
    a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
  );
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !event.currentTarget.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Remembers what had focus when the dialog opened and returns focus there when it closes. The button
 * that opened it may have been disabled meanwhile (focus then sat on <body>): the control marked
 * data-opens-dialog stands in. When neither is left (the join worked), the room's composer takes it.
 */
export function useReturnFocus(open: boolean): void {
  const opener = useRef<Element | null>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open && !wasOpen.current) opener.current = document.activeElement;
    if (!open && wasOpen.current) {
      const target = opener.current;
      opener.current = null;
      const usable = (el: unknown): el is HTMLElement =>
        el instanceof HTMLElement && el !== document.body && el.isConnected && !el.matches(':disabled');
      const standIn = document.querySelector('main [data-opens-dialog]');
      if (usable(target)) target.focus();
      else if (usable(standIn)) standIn.focus();
      else document.getElementById('composer-input')?.focus();
    }
    wasOpen.current = open;
  }, [open]);
}

export function PasswordDialog() {
  const prompt = useChat((s) => s.passwordPrompt);
  const busy = useChat((s) => s.busy);
  const [password, setPassword] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const error = prompt?.error ?? null;
  useReturnFocus(prompt !== null);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [prompt]);

  if (!prompt) return null;
  const room = prompt.kind === 'join' ? prompt.request.room : prompt.room;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const ok = await chatStore.getState().submitPassword(password);
    if (ok) setPassword('');
  }

  return (
    <div className="overlay">
      {/* The dialog role sits on a wrapper: a <form> may not take it. */}
      <div
        className="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="password-title"
        aria-describedby="password-why"
        onKeyDown={(e) => {
          if (e.key === 'Escape') chatStore.getState().cancelPassword();
          else trapTab(e);
        }}
      >
        <form className="dialog-form" onSubmit={submit}>
          <h2 id="password-title">
            Password for “<UserText text={room} />”
          </h2>
          <p id="password-why" className="muted">
            This room is protected. Enter the password the host gave you.
          </p>
          <label htmlFor="room-password">Room password</label>
          <input
            id="room-password"
            ref={inputRef}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? 'password-error' : undefined}
            autoComplete="current-password"
          />
          {error && (
            <p id="password-error" role="alert" className="field-error">
              {error}
            </p>
          )}
          <div className="form-actions">
            <button type="button" onClick={() => chatStore.getState().cancelPassword()}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Joining…' : 'Join'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
