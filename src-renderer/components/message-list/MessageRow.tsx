// One row of the message list: an optional day separator and "new since you left" marker, then a
// system line or a chat line (its header left out when it continues the sender's group). Names sit
// in <bdi> and text carries dir="auto", so right-to-left messages keep their punctuation in place.
import { memo } from 'react';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import { splitLinks } from '../../../src-shared/links.js';
import { chatStore } from '../../store/chat-store.js';
import { formatClock, formatDay, formatFull } from './dates.js';

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

function MessageText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.url ? <MessageLink key={i} url={part.url} /> : <span key={i}>{part.text}</span>,
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
  return (
    <li
      className={`msg${entry.own ? ' own' : ''}${grouped ? ' grouped' : ''}`}
      data-testid="chat-message"
      data-pos={position}
    >
      {lead}
      <div className="bubble">
        {grouped ? (
          <div className="msg-meta msg-meta-compact">
            <Time at={entry.at} />
            {entry.pending && <span className="pending">sending…</span>}
          </div>
        ) : (
          <div className="msg-meta">
            <span className="msg-from">
              <bdi>{entry.from}</bdi>
              {entry.own && ' (you)'}
            </span>
            <Time at={entry.at} />
            {entry.pending && <span className="pending">sending…</span>}
          </div>
        )}
        <div className="msg-text" dir="auto">
          <MessageText text={entry.text} />
        </div>
      </div>
    </li>
  );
});
