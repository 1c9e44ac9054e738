// The room header's encryption state (#16 item 5): "Encrypted" only when every member's connection
// is; otherwise it says who is on a plain connection, each name isolated as user text.
import type { RoomView } from '../../src-shared/ipc/contract.js';
import { roomEncryption } from '../../src-shared/room-encryption.js';
import { UserText } from './UserText.js';

/** Beyond this many names the line says how many more. */
const NAMES_SHOWN = 3;

export function RoomEncryptionBadge({ room }: { room: RoomView }) {
  const state = roomEncryption(room.transport, room.members);
  if (state === null || room.state === 'closed') return null;
  const names = state.plainMembers;
  const shown = names.slice(0, NAMES_SHOWN);
  return (
    <p className={`encryption encryption-${state.level}`} data-testid="room-encryption">
      <span className="encryption-label">{state.label}</span>
      {room.encryptedOnly && <span className="muted"> · encrypted members only</span>}
      <span className="encryption-detail">
        {' — '}
        {state.level === 'partly' ? (
          <>
            {'plain connection: '}
            {shown.map((name, i) => (
              <span key={name}>
                {i > 0 && ', '}
                <UserText text={name} />
              </span>
            ))}
            {names.length > shown.length && ` and ${names.length - shown.length} more`}
            {'. What the room says reaches them in clear.'}
          </>
        ) : (
          state.detail
        )}
      </span>
    </p>
  );
}
