// host tools (#14 item 7): the host's Remove action on a member (asks first, like closing the room),
// the Change password dialog, and the "alice is typing…" line.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RoomView } from '../../src-shared/ipc/contract.js';
import { chatStore } from '../store/chat-store.js';
import { typingNames } from '../store/host-tools-slice.js';
import { useChat } from '../store/use-chat.js';
import { trapTab, useReturnFocus } from './PasswordDialog.js';
import { useInlineConfirm } from './use-inline-confirm.js';
import { UserText } from './UserText.js';

/** Remove for one member: a button, then an inline confirmation (Escape or Cancel go back). */
export function RemoveMember({ room, name }: { room: RoomView; name: string }) {
  const { confirming, buttonRef, open, close: cancel } = useInlineConfirm();
  // After "Yes, remove" the member's row goes away with this confirmation, and focus with it: it
  // moves on to the composer (unless the user has already gone elsewhere).
  const removing = useRef(false);
  useEffect(
    () => () => {
      if (!removing.current) return;
      const active = document.activeElement;
      if (!active || active === document.body) document.getElementById('composer-input')?.focus();
    },
    [],
  );
  if (!confirming) {
    return (
      <button ref={buttonRef} type="button" className="small" aria-label={`Remove ${name}`} onClick={open}>
        Remove
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={`Confirm removing ${name}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          cancel();
        } else trapTab(e);
      }}
    >
      <span>
        Remove <UserText text={name} />? They can join again{room.passwordProtected ? ' with the password' : ''}.
      </span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          removing.current = true;
          void chatStore.getState().kickMember(room.id, name);
        }}
      >
        Yes, remove
      </button>
      <button type="button" onClick={cancel} autoFocus>
        Cancel
      </button>
    </span>
  );
}

/** The host's "Change password…" button and its dialog. */
export function ChangePassword({ room }: { room: RoomView }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} disabled={room.state !== 'connected'}>
        Change password…
      </button>
      {open && <ChangePasswordDialog room={room} close={() => setOpen(false)} />}
    </>
  );
}

function ChangePasswordDialog({ room, close }: { room: RoomView; close: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState(true);
  useReturnFocus(shown);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  useEffect(() => {
    if (!shown) close();
  }, [shown, close]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const problem = await chatStore.getState().setRoomPassword(room.id, password);
    setBusy(false);
    if (problem) setError(problem);
    else setShown(false);
  }

  return (
    <div className="overlay">
      <div
        className="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="change-password-title"
        aria-describedby="change-password-why"
        onKeyDown={(e) => {
          if (e.key === 'Escape') setShown(false);
          else trapTab(e);
        }}
      >
        <form className="dialog-form" onSubmit={submit}>
          <h2 id="change-password-title">
            Password for “<UserText text={room.room} />”
          </h2>
          <p id="change-password-why" className="muted">
            New members will need this password. Members already in the room stay. Leave it empty to let anyone join.
          </p>
          <label htmlFor="new-room-password">New password</label>
          <input
            id="new-room-password"
            ref={inputRef}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? 'new-password-error' : undefined}
            autoComplete="new-password"
          />
          {error && (
            <p id="new-password-error" role="alert" className="field-error">
              {error}
            </p>
          )}
          <div className="form-actions">
            <button type="button" onClick={() => setShown(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {password === '' ? 'Remove password' : 'Change password'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** "alice is typing…", for as long as the notices keep coming; gone when their message arrives. */
export function TypingLine({ roomId }: { roomId: string }) {
  const typing = useChat((s) => s.typing[roomId]);
  const [now, setNow] = useState(() => Date.now());
  const names = typingNames(typing, now);
  // Re-render when the first shown name runs out.
  useEffect(() => {
    const next = Math.min(...Object.values(typing ?? {}).filter((until) => until > now));
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, next - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [typing, now]);
  return (
    <p className="typing-line muted" aria-live="polite" data-testid="typing-line">
      {names.length === 0 ? null : (
        <>
          {names.map((name, i) => (
            <span key={name}>
              {i > 0 && ', '}
              <bdi>{name}</bdi>
            </span>
          ))}{' '}
          {names.length === 1 ? 'is' : 'are'} typing…
        </>
      )}
    </p>
  );
}
