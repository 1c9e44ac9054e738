// The Host form: a room on this computer's embedded server, with the interface, port and options.
import { useRef, useState, type FormEvent } from 'react';
import { DEFAULT_PORT } from '../../src-shared/address.js';
import { unmappableBindReason } from '../../src-shared/reach/mappable-bind.js';
import { LOOPBACK_CHOICE, pickInterface } from '../host-interface.js';
import type { FormField } from '../error-words.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
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
import { StunServerField, stunServerError } from './StunServerField.js';

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
  const [stunServer, setStunServer] = useState(prefs?.stunServer ?? '');
  const [stunTouched, setStunTouched] = useState(false);
  const [stunSaveError, setStunSaveError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [seenPrefs, setSeenPrefs] = useState(prefs);
  if (prefs !== seenPrefs) {
    setSeenPrefs(prefs);
    if (prefs) {
      setPort((p) => (p === String(DEFAULT_PORT) ? String(prefs.hostPort) : p));
      setBindHost(prefs.hostInterface);
      setUpnp(prefs.hostUpnp ?? false);
      setEncryptedOnly(prefs.hostEncryptedOnly ?? false);
      setStunServer(prefs.stunServer ?? '');
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
  // The STUN check only runs beside a mapping, so the field is offered (and checked) only then.
  const offerStun = mappable && upnp;
  const stunProblem = offerStun ? stunServerError(stunServer) : null;
  const stunShown = (touched || stunTouched) && stunProblem ? stunProblem : stunSaveError;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!valid) {
      focusAfterFailure(errors.room ? 'room' : errors.username ? 'username' : 'port');
      return;
    }
    if (stunProblem) {
      focusAfterFailure('stunServer');
      return;
    }
    if (busy) return;
    // Saved before hosting: the main process reads it when the mapping starts.
    const stunText = stunServer.trim();
    if (offerStun && stunText !== (prefs?.stunServer ?? '')) {
      const refused = await chatStore.getState().savePrefs({ stunServer: stunText });
      setStunSaveError(refused && `The STUN server was not saved: ${refused}`);
      if (refused) {
        focusAfterFailure('stunServer');
        return;
      }
    }
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
      <DisplayNameField value={username} onChange={setUsername} error={shown.username} />
      <PasswordField
        label="Password (optional)"
        hint="Leave empty for an open room."
        purpose="new"
        value={password}
        onChange={setPassword}
        error={shown.password}
      />
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
      {offerStun && (
        <StunServerField
          value={stunServer}
          onChange={(value) => {
            setStunServer(value);
            setStunSaveError(null);
          }}
          onBlur={() => setStunTouched(true)}
          error={stunShown}
        />
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
