// encrypted transport (#16): a known host presents another certificate than the one remembered. A
// blocking warning naming the room, the host and both fingerprints; Cancel is the default and has
// focus, trusting the new certificate is an explicit second button. Escape cancels, Tab stays inside.
import { useEffect, useRef } from 'react';
import { formatHostAddress } from '../../src-shared/address.js';
import { groupFingerprint } from '../../src-shared/protocol/encrypted-transport.js';
import { chatStore } from '../store/chat-store.js';
import { useChat } from '../store/use-chat.js';
import { trapTab, useReturnFocus } from './PasswordDialog.js';
import { UserText } from './UserText.js';

export function CertificateDialog() {
  const prompt = useChat((s) => s.certificatePrompt);
  const rejoinRoom = useChat((s) =>
    s.certificatePrompt?.retry.kind === 'rejoin' ? (s.rooms[s.certificatePrompt.retry.roomId]?.room ?? '') : '',
  );
  const busy = useChat((s) => s.busy);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useReturnFocus(prompt !== null);

  useEffect(() => {
    cancelRef.current?.focus();
  }, [prompt]);

  if (!prompt) return null;
  const { change, retry, error } = prompt;
  const room = retry.kind === 'join' ? retry.request.room : rejoinRoom;
  const cancel = () => chatStore.getState().cancelCertificate();

  return (
    <div className="overlay">
      <div
        className="dialog card"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="certificate-title"
        aria-describedby="certificate-why"
        onKeyDown={(e) => {
          if (e.key === 'Escape') cancel();
          else trapTab(e);
        }}
      >
        <h2 id="certificate-title">
          The host of “<UserText text={room} />” has a new certificate
        </h2>
        <div id="certificate-why">
          <p>
            {formatHostAddress({ host: change.host, port: change.port })} presents a different certificate from the one
            it used before. Nothing was sent to it.
          </p>
          <dl className="fingerprints">
            <dt>Before</dt>
            <dd>
              <code>{groupFingerprint(change.known)}</code>
            </dd>
            <dt>Now</dt>
            <dd>
              <code>{groupFingerprint(change.presented)}</code>
            </dd>
          </dl>
          <p>
            This happens when the host reinstalled Tincan or moved it to a new computer. It is also what someone posing
            as the host, to read the room and its password, would look like. Ask the host, by some other way than this
            chat, which fingerprint their Host panel shows before you trust it.
          </p>
        </div>
        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="button" ref={cancelRef} className="primary" onClick={cancel}>
            Cancel
          </button>
          <button type="button" disabled={busy} onClick={() => void chatStore.getState().trustNewCertificate()}>
            {busy ? 'Joining…' : 'Trust the new certificate'}
          </button>
        </div>
      </div>
    </div>
  );
}
