// One row of the message list: an optional day separator and "new since you left" marker, then a
// system line or a chat line (its header left out when it continues the sender's group). Names sit
// in <bdi> and text carries dir="auto", so right-to-left messages keep their punctuation in place.
// `@name` of a current member is highlighted (never inside a link), and a line mentioning you is marked.
// Lines from the room's catch-up (said before you joined) look quieter and say "earlier".
import { memo, useMemo } from 'react';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import { splitLinks } from '../../../src-shared/links.js';
import type { MentionFinder } from '../../../src-shared/mentions.js';
import { nameKey } from '../../../src-shared/protocol/names.js';
import { chatStore } from '../../store/chat-store.js';
import { formatClock, formatDay, formatFull } from './dates.js';
import { useMentionScope } from './mention-scope.js';

function MessageLink({ url }: { url: string }) {
  return (
    <a
      href={url}
      rel="noreferrer noopener"
      onClick={(e) => {
        e.preventDefault();
        // The link came from another person: whoever opens it (main, or web mode's API) asks first,
        // showing the normalised address.
        void chatStore.getState().openExternal(url);
      }}
    >
      {url}
    </a>
  );
}

/** A piece of message text: plain, a link, or a mention of a member (by their name as listed). */
type TextPiece =
  { kind: 'plain'; text: string } | { kind: 'link'; url: string } | { kind: 'mention'; text: string; member: string };

function textPieces(text: string, finder: MentionFinder): TextPiece[] {
  const pieces: TextPiece[] = [];
  for (const part of splitLinks(text)) {
    if (part.url !== null) pieces.push({ kind: 'link', url: part.url });
    else
      for (const piece of finder.splitPlain(part.text))
        pieces.push(
          piece.member === null
            ? { kind: 'plain', text: piece.text }
            : { kind: 'mention', text: piece.text, member: piece.member },
        );
  }
  return pieces;
}

function MessageText({ pieces, myKey }: { pieces: TextPiece[]; myKey: string }) {
  return (
    <>
      {pieces.map((piece, i) =>
        piece.kind === 'link' ? (
          <MessageLink key={i} url={piece.url} />
        ) : piece.kind === 'mention' ? (
          <span key={i} className={`mention${nameKey(piece.member) === myKey ? ' mention-me' : ''}`}>
            {piece.text}
          </span>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}

function Time({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFull(at)}>
      {formatClock(at)}
    </time>
  );
}

export interface RowProps {
  entry: ChatEntry;
  position: number;
  startsDay: boolean;
  grouped: boolean;
  newSince: boolean;
}

export const MessageRow = memo(function MessageRow({ entry, position, startsDay, grouped, newSince }: RowProps) {
  const { finder, myKey } = useMentionScope();
  const text = entry.kind === 'chat' ? entry.text : '';
  const pieces = useMemo(() => textPieces(text, finder), [text, finder]);
  const lead = (
    <>
      {startsDay && (
        <div className="day-separator" role="separator">
          <span>{formatDay(entry.at)}</span>
        </div>
      )}
      {newSince && (
        <div className="new-since" role="separator" data-testid="new-since">
          <span>New since you left</span>
        </div>
      )}
    </>
  );
  if (entry.kind === 'system') {
    return (
      <li className={`system tone-${entry.tone}`} data-pos={position}>
        {lead}
        <div className="system-line">
          <span dir="auto">{entry.text}</span> <Time at={entry.at} />
        </div>
      </li>
    );
  }
  // A line from the room's catch-up (said before you joined) is told apart, in words as well.
  const earlierTag = entry.earlier && (
    <span className="earlier-tag" title="Said before you joined">
      earlier
    </span>
  );
  // Your own line naming you is not news to you.
  const mentionsMe = !entry.own && pieces.some((piece) => piece.kind === 'mention' && nameKey(piece.member) === myKey);
  return (
    <li
      className={`msg${entry.own ? ' own' : ''}${grouped ? ' grouped' : ''}${mentionsMe ? ' mentions-me' : ''}${entry.earlier ? ' earlier' : ''}`}
      data-testid="chat-message"
      data-pos={position}
    >
      {lead}
      <div className="bubble">
        {grouped ? (
          <div className="msg-meta msg-meta-compact">
            <Time at={entry.at} />
            {entry.pending && <span className="pending">sending…</span>}
            {earlierTag}
          </div>
        ) : (
          <div className="msg-meta">
            <span className="msg-from">
              <bdi>{entry.from}</bdi>
              {entry.own && ' (you)'}
            </span>
            <Time at={entry.at} />
            {entry.pending && <span className="pending">sending…</span>}
            {earlierTag}
          </div>
        )}
        <div className="msg-text" dir="auto">
          <MessageText pieces={pieces} myKey={myKey} />
        </div>
        {mentionsMe && <span className="sr-only"> (mentions you)</span>}
      </div>
    </li>
  );
});
