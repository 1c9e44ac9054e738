// Small display helpers shared by the components.
import type { ClosedReason, RoomState, RoomView } from '../src-shared/ipc/contract.js';
import { CLOSED_REASON_LABEL } from '../src-shared/protocol/closed-reasons.js';
import { CONNECTION_STATE_LABEL } from '../src-shared/protocol/session-kinds.js';

export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

// The labels are defined with their sets in src-shared/protocol.
export const STATE_LABEL: Readonly<Record<RoomState, string>> = CONNECTION_STATE_LABEL;
export const CLOSED_LABEL: Readonly<Record<ClosedReason, string>> = CLOSED_REASON_LABEL;

export function roomStatusLine(room: RoomView): string {
  if (room.state === 'reconnecting') return `Reconnecting (attempt ${room.attempt ?? 1})`;
  if (room.state === 'closed') return room.closedReason === 'left' ? 'Left' : 'Closed';
  return STATE_LABEL[room.state];
}

/** Copies text; the async clipboard API first, then a hidden textarea for older setups. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
