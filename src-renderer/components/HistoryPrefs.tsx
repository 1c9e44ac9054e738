// The history preferences (#14 item 2): whether rooms' history is kept on this computer between runs,
// and how many messages a room keeps. Saved as soon as they change.
import { useState } from 'react';
import { HISTORY_BOUND_MAX, HISTORY_BOUND_MIN } from '../../src-shared/ipc/history-limit.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';

export function HistoryPrefs() {
  const prefs = useChat((s) => s.prefs);
  // What the user is typing; null shows the saved value.
  const [draft, setDraft] = useState<string | null>(null);
  if (!prefs) return null;
  const bound = draft ?? String(prefs.historyBound);
  const { savePrefs } = chatStore.getState();
  const value = Number(bound);
  const valid = Number.isInteger(value) && value >= HISTORY_BOUND_MIN && value <= HISTORY_BOUND_MAX;
  return (
    <details className="history-prefs">
      <summary>History</summary>
      <label className="check">
        <input
          type="checkbox"
          checked={prefs.keepHistory}
          onChange={(e) => void savePrefs({ keepHistory: e.currentTarget.checked })}
        />
        Keep chat history on this computer
      </label>
      <label htmlFor="history-bound">Messages kept per room</label>
      <input
        id="history-bound"
        type="number"
        inputMode="numeric"
        min={HISTORY_BOUND_MIN}
        max={HISTORY_BOUND_MAX}
        value={bound}
        disabled={!prefs.keepHistory}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : 'history-bound-error'}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={() => {
          if (!valid) return;
          setDraft(null);
          if (value !== prefs.historyBound) void savePrefs({ historyBound: value });
        }}
      />
      {!valid && (
        <p id="history-bound-error" className="field-error" role="alert">
          A number from {HISTORY_BOUND_MIN.toLocaleString()} to {HISTORY_BOUND_MAX.toLocaleString()}.
        </p>
      )}
    </details>
  );
}
