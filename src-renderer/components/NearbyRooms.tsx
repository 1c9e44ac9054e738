// The Join screen's live list of rooms advertised on the local network. One click on a room fills
// the Join form and starts the join (the password dialog follows when the room has one). Names were
// checked by the one name rule in main and again by the event validator; React escapes them.
import { useEffect } from 'react';
import { formatHostAddress } from '../../src-shared/address.js';
import type { NearbyRoom } from '../../src-shared/ipc/contract.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';

export function nearbyAddress(room: NearbyRoom): string {
  return formatHostAddress({ host: room.host, port: room.port });
}

export function NearbyRooms(props: { onPick(room: NearbyRoom): void; disabled: boolean }) {
  const nearby = useChat((s) => s.nearby);
  useEffect(() => {
    void chatStore.getState().watchNearby();
  }, []);

  return (
    // A live region of its own (not role=status): the form's status line stays the only status.
    <section className="nearby" aria-labelledby="nearby-title" aria-live="polite">
      <h2 id="nearby-title">Nearby rooms</h2>
      {nearby?.problem ? (
        <p className="hint">{nearby.problem} You can still join by typing the host address below.</p>
      ) : !nearby || nearby.rooms.length === 0 ? (
        <p className="hint">
          {nearby ? 'No rooms on your network yet. They appear here as they are hosted.' : 'Looking…'}
        </p>
      ) : (
        <ul className="nearby-list">
          {nearby.rooms.map((room) => (
            <li key={room.id}>
              <button
                type="button"
                disabled={props.disabled}
                onClick={() => props.onPick(room)}
                aria-label={`Join ${room.room} at ${nearbyAddress(room)}${room.passwordRequired ? ', needs a password' : ''}`}
              >
                <span className="nearby-room" dir="auto">
                  {room.room}
                </span>{' '}
                <span className="nearby-host">{nearbyAddress(room)}</span>
                {room.passwordRequired && <span className="nearby-lock"> · password</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The host's per-room toggle: list this room on the local network (where others could reach it). */
export function ListedToggle(props: { roomId: string }) {
  const unlisted = useChat((s) => s.nearby?.unlisted.includes(props.roomId) ?? false);
  const unreachable = useChat((s) => s.nearby?.lanUnreachable.includes(props.roomId) ?? false);
  if (unreachable)
    return (
      <p className="hint listed-toggle">
        Not shown in Nearby rooms: this room listens on an address other computers cannot reach (this computer only, or
        a single IPv6 address).
      </p>
    );
  return (
    <label className="listed-toggle">
      <input
        type="checkbox"
        checked={!unlisted}
        onChange={(e) => void chatStore.getState().setRoomListed(props.roomId, e.target.checked)}
      />{' '}
      Show in Nearby rooms on the local network
    </label>
  );
}
