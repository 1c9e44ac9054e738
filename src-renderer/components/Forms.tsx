// The host and join forms. Names are checked with the same rules as the wire protocol before sending.
import {
  useEffect,
  useId,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { DEFAULT_PORT } from '../../src-shared/address.js';
import type { KnownHostTransport, NearbyRoom } from '../../src-shared/ipc/contract.js';
import { readInvite } from '../../src-shared/invite/read-invite.js';
import { checkRoomName, checkUsername, describeNameProblem } from '../../src-shared/protocol/names.js';
import { ROOM_NAME_MAX_BYTES, USERNAME_MAX_BYTES } from '../../src-shared/protocol/limits.js';
import { unmappableBindReason } from '../../src-shared/reach/mappable-bind.js';
import { LOOPBACK_CHOICE, pickInterface } from '../host-interface.js';
import { explainError, type FormField, type PlainError } from '../error-words.js';
import { groupFingerprint } from '../format.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { ErrorDetails } from './ErrorDetails.js';
import { NearbyRooms, nearbyAddress } from './NearbyRooms.js';

type ShownError = Pick<PlainError, 'text' | 'details'>;

function Field(props: {
  label: string;
  hint?: string;
  error?: ShownError | null;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} role="alert" className="field-error">
          <ErrorDetails error={props.error} />
        </p>
      )}
    </div>
  );
}

function roomProblem(room: string): string | null {
  const p = checkRoomName(room);
  return p ? describeNameProblem('The room name', p, ROOM_NAME_MAX_BYTES) : null;
}

function nameProblem(name: string): string | null {
  const p = checkUsername(name);
  return p ? describeNameProblem('The display name', p, USERNAME_MAX_BYTES) : null;
}

function useDisplayName(): [string, (v: string) => void] {
  const saved = useChat((s) => s.prefs?.displayName ?? '');
  const [name, setName] = useState(saved);
  // Adjusted while rendering (not in an effect): the saved name fills an empty field once it loads.
  const [seenSaved, setSeenSaved] = useState(saved);
  if (saved !== seenSaved) {
    setSeenSaved(saved);
    if (saved && !name) setName(saved);
  }
  return [name, setName];
}

/** The last server failure of a form, in plain words and tied to a field when it concerns one. */
function useServerError(): PlainError | null {
  const message = useChat((s) => s.formError);
  const code = useChat((s) => s.formErrorCode);
  return message ? explainError(code, message) : null;
}

/** Client-side problem first (after a submit), else the server's error when it names this field. */
function errorFor(field: FormField, problem: string | null, touched: boolean, server: PlainError | null) {
  if (touched && problem) return { text: problem, details: null };
  return server?.field === field ? server : null;
}

const FORM_ERROR_ID = 'form-error';

/** A failure that concerns no field of this form. Focusable, so a failed submit has somewhere to go. */
function FormError({ error }: { error: PlainError | null }) {
  if (!error) return null;
  return (
    <p id={FORM_ERROR_ID} role="alert" className="form-error" tabIndex={-1}>
      <ErrorDetails error={error} />
    </p>
  );
}

/**
 * After a failed submit, focus goes to the field at fault (by its name) or the form's error line:
 * the disabled submit button would otherwise drop it to <body>. Runs after the error has rendered.
 */
function useFocusAfterFailure(formRef: RefObject<HTMLFormElement | null>): (target: string) => void {
  const [request, setRequest] = useState<{ target: string } | null>(null);
  useEffect(() => {
    const { passwordPrompt, certificatePrompt } = chatStore.getState();
    if (!request || passwordPrompt || certificatePrompt) return;
    const form = formRef.current;
    const field = form?.elements.namedItem(request.target);
    const element = field instanceof HTMLElement ? field : document.getElementById(FORM_ERROR_ID);
    element?.focus();
  }, [request, formRef]);
  return (target) => setRequest({ target });
}

function failedTarget(fields: readonly FormField[]): string {
  const { formError, formErrorCode } = chatStore.getState();
  const field = formError ? explainError(formErrorCode, formError).field : null;
  return field && fields.includes(field) ? field : FORM_ERROR_ID;
}

const HOST_FIELDS: readonly FormField[] = ['room', 'username', 'password', 'port', 'bindHost'];

export function HostForm() {
  const prefs = useChat((s) => s.prefs);
  const interfaces = useChat((s) => s.interfaces);
  const busy = useChat((s) => s.busy);
  const [room, setRoom] = useState('');
  const [username, setUsername] = useDisplayName();
  const [password, setPassword] = useState('');
  const [port, setPort] = useState(String(prefs?.hostPort ?? DEFAULT_PORT));
  const [bindHost, setBindHost] = useState(prefs?.hostInterface ?? '');
  const [allowLowPort, setAllowLowPort] = useState(false);
  const [upnp, setUpnp] = useState(prefs?.hostUpnp ?? false);
  const [encryptedOnly, setEncryptedOnly] = useState(prefs?.hostEncryptedOnly ?? false);
  const [touched, setTouched] = useState(false);
  const [seenPrefs, setSeenPrefs] = useState(prefs);
  if (prefs !== seenPrefs) {
    setSeenPrefs(prefs);
    if (prefs) {
      setPort((p) => (p === String(DEFAULT_PORT) ? String(prefs.hostPort) : p));
      setBindHost(prefs.hostInterface);
      setUpnp(prefs.hostUpnp ?? false);
      setEncryptedOnly(prefs.hostEncryptedOnly ?? false);
    }
  }

  const portNumber = Number(port);
  const portIsNumber = port.trim() !== '' && Number.isInteger(portNumber) && portNumber >= 0 && portNumber <= 65535;
  // Ports 1–1023 need administrator rights on most systems: offered only behind an explicit tick.
  const lowPort = portIsNumber && portNumber > 0 && portNumber < 1024;
  const portError = !portIsNumber
    ? 'Use a port from 1024 to 65535 (0 picks a free one).'
    : lowPort && !allowLowPort
      ? 'Ports below 1024 need administrator rights on most systems. Tick the box below to use it anyway, or pick 1024 to 65535 (0 picks a free one).'
      : null;
  const errors = { room: roomProblem(room), username: nameProblem(username), port: portError };
  const valid = !errors.room && !errors.username && !errors.port;
  const server = useServerError();
  const shown = {
    room: errorFor('room', errors.room, touched, server),
    username: errorFor('username', errors.username, touched, server),
    password: errorFor('password', null, touched, server),
    port: errorFor('port', errors.port, touched, server),
    bindHost: errorFor('bindHost', null, touched, server),
  };
  const formRef = useRef<HTMLFormElement>(null);
  const focusAfterFailure = useFocusAfterFailure(formRef);

  // The request must name an interface; until the list arrives, this computer only.
  const choices = interfaces.length > 0 ? interfaces : [LOOPBACK_CHOICE];
  const listenOn = pickInterface(choices, bindHost);
  // The router can only forward to a LAN address (or all interfaces): offered only there.
  const mappable = unmappableBindReason(listenOn) === null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!valid) {
      focusAfterFailure(errors.room ? 'room' : errors.username ? 'username' : 'port');
      return;
    }
    if (busy) return;
    const ok = await chatStore.getState().hostRoom({
      room,
      username,
      password,
      port: portNumber,
      bindHost: listenOn,
      ...(lowPort ? { allowPrivilegedPort: true } : {}),
      upnp: mappable && upnp,
      encryptedOnly,
    });
    if (!ok) focusAfterFailure(failedTarget(HOST_FIELDS));
  }

  return (
    <form ref={formRef} className="card form" onSubmit={submit} aria-labelledby="host-title" noValidate>
      <h1 id="host-title">Host a room</h1>
      <p className="lead">Start a room on this computer. Others on your network join with your address.</p>
      <Field label="Room name" error={shown.room}>
        {(id, d) => (
          <input
            id={id}
            name="room"
            dir="auto"
            aria-describedby={d}
            value={room}
            onChange={(e) => setRoom(e.target.value)}
            autoFocus
            maxLength={64}
            aria-invalid={!!shown.room}
          />
        )}
      </Field>
      <Field label="Your display name" error={shown.username}>
        {(id, d) => (
          <input
            id={id}
            name="username"
            dir="auto"
            aria-describedby={d}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            maxLength={64}
            aria-invalid={!!shown.username}
          />
        )}
      </Field>
      <Field label="Password (optional)" hint="Leave empty for an open room." error={shown.password}>
        {(id, d) => (
          <input
            id={id}
            name="password"
            aria-describedby={d}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
          />
        )}
      </Field>
      <div className="field-row">
        <Field label="Port" hint="0 = any free port" error={shown.port}>
          {(id, d) => (
            <input
              id={id}
              name="port"
              aria-describedby={d}
              inputMode="numeric"
              value={port}
              onChange={(e) => setPort(e.target.value)}
              aria-invalid={!!shown.port}
            />
          )}
        </Field>
        {lowPort && (
          <label className="check">
            <input type="checkbox" checked={allowLowPort} onChange={(e) => setAllowLowPort(e.target.checked)} /> Use
            port {portNumber} anyway (it may need administrator rights)
          </label>
        )}
        <Field label="Listen on" error={shown.bindHost}>
          {(id, d) => (
            <select
              id={id}
              name="bindHost"
              aria-describedby={d}
              value={listenOn}
              onChange={(e) => setBindHost(e.target.value)}
            >
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {mappable && (
        <label className="check">
          <input type="checkbox" name="upnp" checked={upnp} onChange={(e) => setUpnp(e.target.checked)} /> Make this
          room reachable from the internet (asks your router to forward the port)
        </label>
      )}
      <label className="check">
        <input
          type="checkbox"
          name="encryptedOnly"
          checked={encryptedOnly}
          onChange={(e) => setEncryptedOnly(e.target.checked)}
        />{' '}
        Encrypted members only (other Tincan apps can join; plain clients, such as ones written from the course spec,
        are refused)
      </label>
      <FormError error={server && !HOST_FIELDS.includes(server.field as FormField) ? server : null} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Host room'}
        </button>
      </div>
    </form>
  );
}

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
      <Field label="Your display name" error={shown.username}>
        {(id, d) => (
          <input
            id={id}
            name="username"
            dir="auto"
            aria-describedby={d}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            maxLength={64}
            aria-invalid={!!shown.username}
          />
        )}
      </Field>
      <Field label="Password (if the room has one)" hint={passwordTravel(pin, transport)} error={shown.password}>
        {(id, d) => (
          <input
            id={id}
            name="password"
            aria-describedby={d}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        )}
      </Field>
      <FormError error={server && !JOIN_FIELDS.includes(server.field as FormField) ? server : null} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-opens-dialog>
          {busy ? 'Joining…' : 'Join room'}
        </button>
      </div>
    </form>
  );
}
