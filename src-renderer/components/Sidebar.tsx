import type { RoomView } from '../../src-shared/ipc/contract.js';
import { roomStatusLine } from '../format.js';
import { chatStore } from '../store/chat-store.js';
import { chatSelectors } from '../store/selectors.js';
import { useChat, useChatShallow } from '../store/use-chat.js';
import { UserText } from './UserText.js';

function RoomItem({ room, active }: { room: RoomView; active: boolean }) {
  const unread = useChat(chatSelectors.unread(room.id));
  const status = roomStatusLine(room);
  return (
    <li>
      <button
        type="button"
        className={`room-item${active ? ' active' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-testid={`room-item-${room.room}`}
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
    </li>
  );
}

export function Sidebar({ inert = false }: { inert?: boolean }) {
  const rooms = useChatShallow(chatSelectors.roomList);
  const activeRoomId = useChat((s) => s.activeRoomId);
  const screen = useChat((s) => s.screen);
  const { showScreen } = chatStore.getState();
  return (
    <nav className="sidebar" aria-label="Rooms" inert={inert}>
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
        <button type="button" className={screen === 'join' ? 'primary' : ''} onClick={() => showScreen('join')}>
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
    </nav>
  );
}
