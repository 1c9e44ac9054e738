import { useEffect, useRef, type RefObject } from 'react';
import type { RoomId, RoomView } from '../../src-shared/ipc/contract.js';
import { roomStatusLine } from '../format.js';
import { chatStore } from '../store/chat-store.js';
import { chatSelectors } from '../store/selectors.js';
import { useChat, useChatShallow } from '../store/use-chat.js';
import { HistoryPrefs } from './HistoryPrefs.js';
import { WebNotificationsPref } from './WebNotificationsPref.js';
import { UserText } from './UserText.js';

/** A room from the last run: one click to be in it again, or forget it. */
function RememberedActions({ room, onForget }: { room: RoomView; onForget: () => void }) {
  const busy = useChat((s) => s.busy);
  const { rejoinRoom, dismissRoom } = chatStore.getState();
  const action = room.hosted ? 'Host again' : 'Rejoin';
  return (
    <span className="remembered-actions">
      <button
        type="button"
        className="small primary"
        disabled={busy}
        aria-label={`${action} ${room.room}`}
        onClick={() => void rejoinRoom(room.id)}
      >
        {action}
      </button>
      <button
        type="button"
        className="small"
        aria-label={`Forget ${room.room}`}
        onClick={() => {
          onForget();
          void dismissRoom(room.id);
        }}
      >
        Forget
      </button>
    </span>
  );
}

function RoomItem({ room, active, onForget }: { room: RoomView; active: boolean; onForget?: () => void }) {
  const unread = useChat(chatSelectors.unread(room.id));
  const status = room.remembered ? 'Not connected' : roomStatusLine(room);
  return (
    <li>
      <button
        type="button"
        className={`room-item${active ? ' active' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-testid={`room-item-${room.room}`}
        data-room-id={room.id}
        onClick={() => chatStore.getState().selectRoom(room.id)}
      >
        <span className={`dot dot-${room.state}`} aria-hidden="true" />
        <span className="room-item-text">
          <UserText className="room-item-name" text={room.room} />
          <span className="room-item-sub">
            {room.hosted ? 'Hosting' : room.server} · {status}
          </span>
        </span>
        {unread > 0 && (
          <span className="badge" aria-label={`${unread} unread`}>
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {room.remembered && onForget && <RememberedActions room={room} onForget={onForget} />}
    </li>
  );
}

/**
 * Forget takes the focused button away with its row: once the room is gone, focus moves to the next
 * room from last time (or the one before), else to "Join a room", unless the user is busy elsewhere.
 */
function useForgetFocus(
  rooms: RoomView[],
  navRef: RefObject<HTMLElement | null>,
  joinRef: RefObject<HTMLButtonElement | null>,
): (forgotten: RoomId, next: RoomId | null) => void {
  const pending = useRef<{ forgotten: RoomId; next: RoomId | null } | null>(null);
  useEffect(() => {
    const wanted = pending.current;
    if (!wanted || rooms.some((room) => room.id === wanted.forgotten)) return;
    pending.current = null;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    const next = [...(navRef.current?.querySelectorAll<HTMLElement>('[data-room-id]') ?? [])].find(
      (item) => item.dataset['roomId'] === wanted.next,
    );
    (next ?? joinRef.current)?.focus();
  }, [rooms, navRef, joinRef]);
  return (forgotten, next) => {
    pending.current = { forgotten, next };
  };
}

export function Sidebar({ inert = false }: { inert?: boolean }) {
  const allRooms = useChatShallow(chatSelectors.roomList);
  const rooms = allRooms.filter((room) => !room.remembered);
  const remembered = allRooms.filter((room) => room.remembered);
  const activeRoomId = useChat((s) => s.activeRoomId);
  const screen = useChat((s) => s.screen);
  const { showScreen } = chatStore.getState();
  const joinRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  const focusAfterForget = useForgetFocus(allRooms, navRef, joinRef);
  return (
    <nav ref={navRef} className="sidebar" aria-label="Rooms" inert={inert}>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◉
        </span>{' '}
        Tincan
      </div>
      <div className="sidebar-actions">
        <button type="button" className={screen === 'host' ? 'primary' : ''} onClick={() => showScreen('host')}>
          Host a room
        </button>
        <button
          ref={joinRef}
          type="button"
          className={screen === 'join' ? 'primary' : ''}
          onClick={() => showScreen('join')}
        >
          Join a room
        </button>
      </div>
      <h2 className="sidebar-heading">Your rooms</h2>
      {rooms.length === 0 ? (
        <p className="sidebar-empty">No rooms yet. Host one or join one.</p>
      ) : (
        <ul className="room-list">
          {rooms.map((room) => (
            <RoomItem key={room.id} room={room} active={screen === 'room' && room.id === activeRoomId} />
          ))}
        </ul>
      )}
      {remembered.length > 0 && (
        <>
          <h2 className="sidebar-heading" id="remembered-heading">
            From last time
          </h2>
          <ul className="room-list" aria-labelledby="remembered-heading">
            {remembered.map((room, i) => (
              <RoomItem
                key={room.id}
                room={room}
                active={screen === 'room' && room.id === activeRoomId}
                onForget={() => focusAfterForget(room.id, (remembered[i + 1] ?? remembered[i - 1])?.id ?? null)}
              />
            ))}
          </ul>
        </>
      )}
      <HistoryPrefs />
      {/* The desktop app notifies from its main process; only web mode asks the browser. */}
      {!window.api && <WebNotificationsPref />}
    </nav>
  );
}
