// The Join form: a room on another host, filled by hand, from a pasted invite or link, or from the
// Nearby rooms list; it says how the password will travel.
import { useEffect, useId, useRef, useState, type ClipboardEvent, type FormEvent } from 'react';
import { DEFAULT_PORT } from '../../src-shared/address.js';
import type { KnownHostTransport, NearbyRoom } from '../../src-shared/ipc/contract.js';
import { readInvite } from '../../src-shared/invite/read-invite.js';
import type { FormField } from '../error-words.js';
import { groupFingerprint } from '../../src-shared/protocol/encrypted-transport.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { NearbyRooms, nearbyAddress } from './NearbyRooms.js';
import {
  DisplayNameField,
  Field,
  FormError,
  errorFor,
  failedTarget,
  nameProblem,
  PasswordField,
  roomProblem,
  useDisplayName,
  useFocusAfterFailure,
  useServerError,
} from './form-parts.js';

const JOIN_FIELDS: readonly FormField[] = ['address', 'room', 'username', 'password'];

// encrypted transport (#16)
/** What known hosts say about the address in the field, asked again as it changes. */
function useKnownHostTransport(address: string): KnownHostTransport {
  const [known, setKnown] = useState<{ address: string; transport: KnownHostTransport } | null>(null);
  const trimmed = address.trim();
  useEffect(() => {
    if (trimmed === '') return;
    let current = true;
    void chatStore
      .getState()
      .knownHostTransport(trimmed)
      .then((transport) => current && setKnown({ address: trimmed, transport }));
    return () => {
      current = false;
    };
  }, [trimmed]);
  return known?.address === trimmed ? known.transport : 'unknown';
}

/** How the password would travel, once that is known (a pin, or an earlier contact); undefined before. */
function passwordTravel(pin: string | null, transport: KnownHostTransport): string | undefined {
  if (pin) return 'Sent inside TLS, only to the host whose fingerprint is shown above.';
  if (transport === 'encrypted')
    return 'Sent inside TLS, only to the host you met before (its certificate is checked).';
  if (transport === 'plain') return 'This host has no encryption: the password crosses the network in clear.';
  return undefined;
}

export function JoinForm() {
  const prefs = useChat((s) => s.prefs);
  const busy = useChat((s) => s.busy);
  const prefill = useChat((s) => s.joinPrefill);
  const refusal = useChat((s) => s.joinLinkRefusal);
  const [address, setAddress] = useState(prefill?.address ?? '');
  const [room, setRoom] = useState(prefill?.room ?? '');
  const [username, setUsername] = useDisplayName();
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const [linkError, setLinkError] = useState<string | null>(refusal?.message ?? null);
  const [filledFromInvite, setFilledFromInvite] = useState(prefill !== null);
  /** The certificate the invite or nearby room names for this host; the join accepts no other. */
  const [pin, setPin] = useState<string | null>(prefill?.fingerprint ?? null);
  const transport = useKnownHostTransport(address);
  const [appliedSeq, setAppliedSeq] = useState(Math.max(prefill?.seq ?? 0, refusal?.seq ?? 0));
  const hostsId = useId();
  const roomsId = useId();

  // A link opened by the operating system while the form is shown: fill it, never submit it.
  if (prefill && prefill.seq !== appliedSeq) {
    setAppliedSeq(prefill.seq);
    setAddress(prefill.address);
    setRoom(prefill.room);
    setPin(prefill.fingerprint);
    setLinkError(null);
    setFilledFromInvite(true);
  }
  // A malformed link opened the same way: say why next to the address, keep what the form holds.
  if (refusal && refusal.seq !== appliedSeq && refusal.seq > (prefill?.seq ?? 0)) {
    setAppliedSeq(refusal.seq);
    setLinkError(refusal.message);
    setFilledFromInvite(false);
  }
  // Taken: the next visit to the form starts empty again.
  useEffect(() => {
    if (prefill || refusal) chatStore.getState().clearJoinPrefill();
  }, [prefill, refusal]);

  /** Fills host and room when `text` holds an invite; true when it did (or reported a broken link). */
  function takeInvite(text: string): boolean {
    const reading = readInvite(text);
    if (reading.kind === 'none') return false;
    if (reading.kind === 'bad-link') {
      setLinkError(reading.message);
      setFilledFromInvite(false);
      return true;
    }
    if (reading.kind === 'address') {
      setAddress(reading.address);
      setPin(null);
      setLinkError(null);
      return true;
    }
    setAddress(reading.prefill.address);
    setRoom(reading.prefill.room);
    setPin(reading.prefill.fingerprint);
    setLinkError(null);
    setFilledFromInvite(true);
    return true;
  }

  // Pasting a link or the whole invite text into host or room fills both fields; an address with a
  // scheme or a trailing slash fills the host field.
  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    if (takeInvite(event.clipboardData.getData('text'))) event.preventDefault();
  }

  function changeAddress(value: string) {
    setLinkError(null);
    setFilledFromInvite(false);
    // The pin belongs to the host it came with.
    setPin(null);
    // A link dropped or typed in (no paste event) is read as well.
    if (!(value.includes(':') && /tincan:/i.test(value) && takeInvite(value))) setAddress(value);
  }

  const errors = {
    address: address.trim() === '' ? 'Enter the host address, e.g. 192.168.1.20 or 192.168.1.20:7777.' : null,
    room: roomProblem(room),
    username: nameProblem(username),
  };
  const valid = !errors.address && !errors.room && !errors.username;
  const server = useServerError();
  const shown = {
    address: linkError ? { text: linkError, details: null } : errorFor('address', errors.address, touched, server),
    room: errorFor('room', errors.room, touched, server),
    username: errorFor('username', errors.username, touched, server),
    password: errorFor('password', null, touched, server),
  };
  const formRef = useRef<HTMLFormElement>(null);
  const focusAfterFailure = useFocusAfterFailure(formRef);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!valid) {
      focusAfterFailure(errors.address ? 'address' : errors.room ? 'room' : 'username');
      return;
    }
    if (busy) return;
    const request = { address: address.trim(), room, username, password, ...(pin ? { fingerprint: pin } : {}) };
    const ok = await chatStore.getState().joinRoom(request);
    if (!ok) focusAfterFailure(failedTarget(JOIN_FIELDS));
  }

  // A click on a nearby room fills host and room and joins at once (the password dialog follows
  // when the room needs one); without a valid display name it stops at that field.
  async function joinNearby(picked: NearbyRoom) {
    const pickedAddress = nearbyAddress(picked);
    setAddress(pickedAddress);
    setRoom(picked.room);
    setPin(picked.fingerprint);
    setLinkError(null);
    setFilledFromInvite(false);
    setTouched(true);
    if (errors.username) {
      focusAfterFailure('username');
      return;
    }
    if (busy) return;
    const pinned = picked.fingerprint ? { fingerprint: picked.fingerprint } : {};
    const request = { address: pickedAddress, room: picked.room, username, password, ...pinned };
    const ok = await chatStore.getState().joinRoom(request);
    if (!ok) focusAfterFailure(failedTarget(JOIN_FIELDS));
  }

  return (
    <form ref={formRef} className="card form" onSubmit={submit} aria-labelledby="join-title" noValidate>
      <h1 id="join-title">Join a room</h1>
      <p className="lead">Ask the host for their address and the room name, or paste their invite.</p>
      <NearbyRooms onPick={(picked) => void joinNearby(picked)} disabled={busy} />
      {filledFromInvite && (
        <p role="status" className="hint">
          Filled in from an invite. Check the details, then press Join room.
        </p>
      )}
      <Field
        label="Host address"
        hint={`host, host:port or [IPv6]:port — port ${DEFAULT_PORT} if omitted; or paste an invite link`}
        error={shown.address}
      >
        {(id, d) => (
          <>
            <input
              id={id}
              name="address"
              aria-describedby={d}
              list={hostsId}
              value={address}
              onChange={(e) => changeAddress(e.target.value)}
              onPaste={onPaste}
              autoFocus
              spellCheck={false}
              aria-invalid={!!shown.address}
            />
            <datalist id={hostsId}>
              {prefs?.recentHosts.map((h) => (
                <option key={h} value={h} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      {pin && (
        <p className="hint">
          Host fingerprint: <code>{groupFingerprint(pin)}</code>, checked when connecting.
        </p>
      )}
      <Field label="Room name" error={shown.room}>
        {(id, d) => (
          <>
            <input
              id={id}
              name="room"
              dir="auto"
              aria-describedby={d}
              list={roomsId}
              value={room}
              onChange={(e) => {
                setFilledFromInvite(false);
                setRoom(e.target.value);
              }}
              onPaste={onPaste}
              maxLength={64}
              aria-invalid={!!shown.room}
            />
            <datalist id={roomsId}>
              {prefs?.recentRooms.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <DisplayNameField value={username} onChange={setUsername} error={shown.username} />
      <PasswordField
        label="Password (if the room has one)"
        hint={passwordTravel(pin, transport)}
        purpose="current"
        value={password}
        onChange={setPassword}
        error={shown.password}
      />
      <FormError error={server && !JOIN_FIELDS.includes(server.field as FormField) ? server : null} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-opens-dialog>
          {busy ? 'Joining…' : 'Join room'}
        </button>
      </div>
    </form>
  );
}
