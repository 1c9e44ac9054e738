// Modal password prompt for protected rooms; a wrong password keeps the dialog open with an error.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { UserText } from './UserText.js';

export function PasswordDialog() {
  const prompt = useChat((s) => s.passwordPrompt);
  const busy = useChat((s) => s.busy);
  const [password, setPassword] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const error = prompt?.error ?? null;

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
      <form
        className="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="password-title"
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape') chatStore.getState().cancelPassword();
        }}
      >
        <h2 id="password-title">
          Password for “<UserText text={room} />”
        </h2>
        <p className="muted">This room is protected. Enter the password the host gave you.</p>
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
  );
}
