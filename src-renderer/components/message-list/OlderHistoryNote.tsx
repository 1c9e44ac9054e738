// The note at the top of the message list about older history: while a page loads, and once the
// first line is in view, whether it is the beginning or where the in-memory bound stopped loading.
import { UI_HISTORY_LIMIT } from '../../store/chat-store.js';
import { useChat } from '../../store/use-chat.js';

export function OlderHistoryNote({ roomId, atTop }: { roomId: string; atTop: boolean }) {
  const state = useChat((s) => s.olderHistory[roomId] ?? 'more');
  const text =
    state === 'loading'
      ? 'Loading earlier messages…'
      : !atTop
        ? null
        : state === 'start'
          ? 'Beginning of history'
          : state === 'bound'
            ? `Earlier messages are not loaded: a room shows at most ${UI_HISTORY_LIMIT.toLocaleString()} lines`
            : null;
  return (
    <div className="older-history" aria-live="polite">
      {text !== null && <span className="older-history-note">{text}</span>}
    </div>
  );
}
