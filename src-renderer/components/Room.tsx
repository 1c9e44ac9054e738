// One room: header with actions, connection banner, invite panel (host), history (MessageList),
// members, composer.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import type { RoomView, ShareInfo } from '../../src-shared/ipc/contract.js';
import { MESSAGE_TEXT_MAX_BYTES } from '../../src-shared/protocol/limits.js';
import { utf8ByteLength } from '../../src-shared/protocol/utf8.js';
import { explainError } from '../error-words.js';
import { CLOSED_LABEL, STATE_LABEL, copyText } from '../format.js';
import { chatStore } from '../store/chat-store.js';
import { chatSelectors } from '../store/selectors.js';
import { useChat, useChatShallow } from '../store/use-chat.js';
import { ChangePassword, RemoveMember, TypingLine } from './HostTools.js';
import { MessageList } from './MessageList.js';
import { MentionScopeContext, useRoomMentionScope } from './message-list/mention-scope.js';
import { ErrorDetails } from './ErrorDetails.js';
import { InviteQr } from './InviteQr.js';
import { RoomEncryptionBadge } from './RoomEncryptionBadge.js';
import { UserText } from './UserText.js';
import { ListedToggle } from './NearbyRooms.js';
import { useInlineConfirm } from './use-inline-confirm.js';

function CopyButton({ text, label, children }: { text: string; label: string; children: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button type="button" className="small" aria-label={label} onClick={() => void copyText(text).then(setCopied)}>
      {copied ? 'Copied ✓' : children}
    </button>
  );
}

function SharePanel({ share, roomId, hosted }: { share: ShareInfo; roomId: string; hosted: boolean }) {
  // The invite text ends with the room's tincan:// link (when an address can carry one).
  const link = /tincan:\/\/\S+/.exec(share.invite)?.[0];
  // Open or closed as the user last left it, in every room: it must not take a small window again.
  const open = useChat((s) => s.inviteOpen);
  return (
    <details
      className="share"
      open={open}
      onToggle={(e) => {
        if (e.currentTarget.open !== open) chatStore.getState().setInviteOpen(e.currentTarget.open);
      }}
    >
      <summary>Invite others</summary>
      {hosted && <ListedToggle roomId={roomId} />}
      {share.portMapping && (
        <p role="status" className="port-mapping" aria-label="Internet reachability">
          {share.portMapping.line}
        </p>
      )}
      <p className="muted">Others can join with any of these addresses (port {share.port}):</p>
      <ul className="address-list" aria-label="Host addresses">
        {share.addresses.map((address) => (
          <li key={address}>
            <code>{address}</code>
            <CopyButton text={address} label={`Copy address ${address}`}>
              Copy
            </CopyButton>
          </li>
        ))}
      </ul>
      <div className="invite">
        <pre aria-label="Invite text">{share.invite}</pre>
        <CopyButton text={share.invite} label="Copy invite text">
          Copy invite
        </CopyButton>
        {link && (
          <CopyButton text={link} label="Copy invite link">
            Copy link
          </CopyButton>
        )}
      </div>
      {link && <InviteQr link={link} />}
    </details>
  );
}

function StatusBanner({ room }: { room: RoomView }) {
  const busy = useChat((s) => s.busy);
  if (room.state === 'reconnecting') {
    return (
      <div role="status" className="banner banner-warn">
        Connection lost. Reconnecting… (attempt {room.attempt ?? 1})
      </div>
    );
  }
  if (room.state === 'connecting') {
    return (
      <div role="status" className="banner">
        Connecting…
      </div>
    );
  }
  if (room.state !== 'closed') return null;
  const reason = room.remembered
    ? 'From your last session: not connected.'
    : room.closedReason
      ? CLOSED_LABEL[room.closedReason]
      : 'This room is closed.';
  return (
    <div role="alert" className={`banner ${room.closedReason === 'left' || room.remembered ? '' : 'banner-error'}`}>
      <span>{reason}</span>
      <button
        type="button"
        className="primary small"
        disabled={busy}
        data-opens-dialog
        onClick={() => void chatStore.getState().rejoinRoom(room.id)}
      >
        {room.hosted ? 'Host again' : 'Rejoin'}
      </button>
    </div>
  );
}

function MemberList({ room }: { room: RoomView }) {
  const members = useChatShallow(chatSelectors.sortedMembers);
  const open = useChat((s) => s.membersOpen);
  const online = room.state === 'connected';
  const canRemove = online && room.role === 'host' && room.dialect === 'tincan';
  return (
    <aside id="member-panel" className={`members${open ? ' open' : ''}`} aria-labelledby="members-title">
      <h2 id="members-title">Members ({members.length})</h2>
      <ul aria-label="Member list">
        {members.map((m) => (
          <li key={m.name}>
            <span className={`presence ${online ? 'online' : 'unknown'}`} aria-hidden="true" />
            <UserText className="member-name" text={m.name} />
            {m.host && <span className="tag">host</span>}
            {room.transport === 'encrypted' && m.plain === true && (
              <span className="tag tag-plain" title="This member's connection is not encrypted">
                plain
              </span>
            )}
            {m.name === room.username && <span className="muted"> (you)</span>}
            {canRemove && m.name !== room.username && <RemoveMember room={room} name={m.name} />}
          </li>
        ))}
      </ul>
    </aside>
  );
}

export function Composer({ room }: { room: RoomView }) {
  const draft = useChat((s) => s.drafts[room.id] ?? '');
  const [sending, setSending] = useState(false);
  const bytes = utf8ByteLength(draft);
  const over = bytes - MESSAGE_TEXT_MAX_BYTES;
  const connected = room.state === 'connected';
  const canSend = connected && !sending && draft.trim().length > 0 && over <= 0;
  const inputRef = useRef<HTMLTextAreaElement>(null);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    setSending(true);
    const text = draft.replace(/\s+$/u, '');
    // Cleared now, not after the send: what the user types meanwhile is the next message, kept.
    const { setDraft } = chatStore.getState();
    setDraft(room.id, '');
    const ok = await chatStore.getState().sendMessage(room.id, text);
    setSending(false);
    // Refused: the text comes back, ahead of anything typed since.
    if (!ok) setDraft(room.id, text + (chatStore.getState().drafts[room.id] ?? ''));
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form className="composer" onSubmit={send} aria-label="Send a message">
      <label htmlFor="composer-input" className="sr-only">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={inputRef}
        rows={2}
        dir="auto"
        value={draft}
        placeholder={connected ? `Message ${room.room} — Enter to send, Shift+Enter for a new line` : 'Not connected'}
        onChange={(e) => {
          chatStore.getState().setDraft(room.id, e.target.value);
          if (e.target.value.trim().length > 0) chatStore.getState().notifyTyping(room.id);
        }}
        onKeyDown={onKeyDown}
        aria-describedby="composer-counter"
        aria-invalid={over > 0}
        disabled={!connected}
        autoFocus
      />
      <div className="composer-side">
        <span id="composer-counter" className={`counter${over > 0 ? ' over' : ''}`} data-testid="byte-counter">
          {bytes} / {MESSAGE_TEXT_MAX_BYTES} bytes
          {over > 0 && <strong> — {over} too many</strong>}
        </span>
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}

/** Shown on narrow windows only (CSS), where the member list would otherwise take the messages' room. */
function MembersToggle() {
  const open = useChat((s) => s.membersOpen);
  const count = useChat((s) => (s.activeRoomId ? (s.rooms[s.activeRoomId]?.members.length ?? 0) : 0));
  return (
    <button
      type="button"
      className="members-toggle"
      aria-expanded={open}
      aria-controls="member-panel"
      onClick={() => chatStore.getState().setMembersOpen(!open)}
    >
      {open ? 'Hide members' : `Members (${count})`}
    </button>
  );
}

/** Deletes the room's history here and on disk, after a confirmation. */
function ClearHistory({ room }: { room: RoomView }) {
  const { confirming, buttonRef, open, close: done } = useInlineConfirm();
  if (!confirming) {
    return (
      <button ref={buttonRef} type="button" onClick={open}>
        Clear history
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label="Confirm clearing the history"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          done();
        }
      }}
    >
      <span>Delete this room&apos;s history on this computer?</span>
      <button
        type="button"
        className="danger"
        onClick={() => void chatStore.getState().clearHistory(room.id).then(done)}
      >
        Yes, clear
      </button>
      <button type="button" onClick={done} autoFocus>
        Cancel
      </button>
    </span>
  );
}

function RoomActions({ room }: { room: RoomView }) {
  // Which button asked for the confirmation: Cancel and Escape give focus back to it.
  const [confirming, setConfirming] = useState<'close' | 'leave' | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const leaveRef = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<'close' | 'leave' | null>(null);
  useEffect(() => {
    if (confirming || !returnTo.current) return;
    (returnTo.current === 'close' ? closeRef : leaveRef).current?.focus();
    returnTo.current = null;
  }, [confirming]);
  const { leaveRoom, closeRoom, dismissRoom } = chatStore.getState();
  if (room.state === 'closed') {
    return (
      <button type="button" onClick={() => void dismissRoom(room.id)}>
        Remove from list
      </button>
    );
  }
  if (room.role !== 'host') {
    return (
      <button type="button" onClick={() => void leaveRoom(room.id)}>
        Leave
      </button>
    );
  }
  function cancel() {
    returnTo.current = confirming;
    setConfirming(null);
  }
  // The host leaving closes the room for everyone (protocol rule), so both ask first.
  return confirming ? (
    <span
      className="confirm"
      role="group"
      aria-label="Confirm closing the room"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          cancel();
        }
      }}
    >
      <span>Close the room for everyone?</span>
      <button type="button" className="danger" onClick={() => void closeRoom(room.id)}>
        Yes, close room
      </button>
      <button type="button" onClick={cancel} autoFocus>
        Cancel
      </button>
    </span>
  ) : (
    <>
      {room.dialect === 'tincan' && <ChangePassword room={room} />}
      <button ref={closeRef} type="button" className="danger" onClick={() => setConfirming('close')}>
        Close room
      </button>
      <button
        ref={leaveRef}
        type="button"
        onClick={() => setConfirming('leave')}
        title="As the host, leaving closes the room"
      >
        Leave
      </button>
    </>
  );
}

/**
 * When the room closes or comes back, the control that had focus is disabled or gone: focus moves to
 * the heading (closed) or the composer (connected again), unless the user is busy elsewhere.
 */
function useFocusOnStateChange(room: RoomView, sectionRef: RefObject<HTMLElement | null>) {
  const previous = useRef(room.state);
  useEffect(() => {
    const was = previous.current;
    previous.current = room.state;
    if (was === room.state) return;
    const active = document.activeElement;
    const ours = !active || active === document.body || !!sectionRef.current?.contains(active);
    if (!ours) return;
    if (room.state === 'closed') document.getElementById('room-title')?.focus();
    else if (room.state === 'connected') document.getElementById('composer-input')?.focus();
  }, [room.state, sectionRef]);
}

function RoomError() {
  const message = useChat((s) => s.roomError);
  const code = useChat((s) => s.roomErrorCode);
  if (!message) return null;
  return (
    <p role="alert" className="banner banner-error">
      <span>
        <ErrorDetails error={explainError(code, message)} />
      </span>
    </p>
  );
}

export function RoomScreen({ room }: { room: RoomView }) {
  const sectionRef = useRef<HTMLElement>(null);
  useFocusOnStateChange(room, sectionRef);
  const mentionScope = useRoomMentionScope(room);
  return (
    <section ref={sectionRef} className="room" aria-labelledby="room-title">
      <header className="room-header">
        <div className="room-heading">
          <h1 id="room-title" tabIndex={-1}>
            <UserText text={room.room} />
          </h1>
          <p className="muted">
            {room.hosted ? 'Hosted on this computer' : `on ${room.server}`} · you are <UserText text={room.username} />
            {room.role === 'host' ? ' (host)' : ''}
            {room.passwordProtected ? ' · password protected' : ''}
            {room.catchUp !== null && room.state !== 'closed' && (
              <span data-testid="room-catch-up">
                {` · new members see the last ${room.catchUp.toLocaleString()} ${room.catchUp === 1 ? 'message' : 'messages'}`}
              </span>
            )}
          </p>
          <RoomEncryptionBadge room={room} />
        </div>
        <span className={`state-badge state-${room.state}`} data-testid="room-state">
          {room.state === 'reconnecting' ? `Reconnecting (attempt ${room.attempt ?? 1})` : STATE_LABEL[room.state]}
        </span>
        <div className="room-actions">
          <MembersToggle />
          <ClearHistory room={room} />
          <RoomActions room={room} />
        </div>
      </header>
      <StatusBanner room={room} />
      <RoomError />
      {room.share && room.state !== 'closed' && <SharePanel share={room.share} roomId={room.id} hosted={room.hosted} />}
      <div className="room-body">
        <MentionScopeContext.Provider value={mentionScope}>
          <MessageList roomId={room.id} />
        </MentionScopeContext.Provider>
        <MemberList room={room} />
      </div>
      <TypingLine roomId={room.id} />
      <Composer room={room} />
    </section>
  );
}
