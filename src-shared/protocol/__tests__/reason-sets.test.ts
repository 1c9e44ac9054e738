import { describe, expect, it } from 'vitest';
import {
  CLOSED_REASON_LABEL,
  CLOSED_REASON_NAMES,
  ClosedReason,
  closedReasonFromNotice,
  closedReasonName,
  closedReasonNotice,
  isServerClosedReason,
} from '../closed-reasons.js';
import { errorCodeName } from '../control.js';
import { LeftReason, leftReasonName, leftReasonNotice } from '../left-reasons.js';
import { plainClosedNotice, plainLeftNotice } from '../plain-text.js';
import { CONNECTION_STATE_LABEL, CONNECTION_STATE_NAMES } from '../session-kinds.js';
import { Status, statusMessage, statusName } from '../status.js';

describe('closed reasons', () => {
  it('keep their wire codes', () => {
    expect(ClosedReason).toEqual({ BY_HOST: 0, HOST_LEFT: 1, HOST_TIMED_OUT: 2, SERVER_SHUTDOWN: 3 });
  });

  it('map every wire code to its name and back from its plain notice', () => {
    for (const code of Object.values(ClosedReason)) {
      const name = closedReasonName(code);
      expect(isServerClosedReason(name)).toBe(true);
      expect(closedReasonFromNotice(closedReasonNotice(code))).toBe(name);
      expect(plainClosedNotice(code)).toBe(`* ${closedReasonNotice(code)}`);
    }
    expect(closedReasonName(4)).toBeNull();
    expect(closedReasonFromNotice('someone joined the room')).toBeNull();
  });

  it('list every name once, each with a label; only the server ones end the room', () => {
    expect(CLOSED_REASON_NAMES).toEqual([
      'by-host',
      'host-left',
      'host-timed-out',
      'server-shutdown',
      'left',
      'gave-up',
      'kicked',
      'timed-out',
      'failed',
    ]);
    for (const name of CLOSED_REASON_NAMES) expect(CLOSED_REASON_LABEL[name]).toMatch(/\.$/u);
    expect(CLOSED_REASON_NAMES.filter(isServerClosedReason)).toEqual([
      'by-host',
      'host-left',
      'host-timed-out',
      'server-shutdown',
    ]);
  });
});

describe('left reasons', () => {
  it('keep their wire codes, names and notices', () => {
    expect(LeftReason).toEqual({ LEFT: 0, TIMED_OUT: 1, RECONNECTED: 2, REMOVED: 3 });
    expect([0, 1, 2, 3, 4].map((code) => leftReasonName(code))).toEqual([
      'left',
      'timed-out',
      'reconnected',
      'removed',
      null,
    ]);
    expect(leftReasonNotice('timed-out')).toBe('timed out');
    expect(plainLeftNotice('ann', LeftReason.LEFT)).toBe('* ann left the room');
    expect(plainLeftNotice('ann', LeftReason.RECONNECTED)).toBe('* ann reconnected');
    expect(plainLeftNotice('ann', LeftReason.REMOVED)).toBe('* ann was removed by the host');
  });
});

describe('status codes', () => {
  it('keep their codes, names and messages', () => {
    expect(Status.WRONG_PASSWORD).toBe(3);
    expect(Status.INTERNAL_ERROR).toBe(12);
    expect(statusName(10)).toBe('PASSWORD_REQUIRED');
    expect(statusName(200)).toBe('UNKNOWN_200');
    expect(statusMessage(Status.ROOM_FULL)).toBe('the room is full');
    expect(statusMessage(99)).toBe('unknown status 99');
  });
});

describe('session kinds and error codes', () => {
  it('label every connection state', () => {
    expect(CONNECTION_STATE_NAMES).toEqual(['connecting', 'connected', 'reconnecting', 'closed']);
    expect(CONNECTION_STATE_LABEL.reconnecting).toBe('Reconnecting…');
  });

  it('name known error codes and number unknown ones', () => {
    expect(errorCodeName(2)).toBe('NOT_HOST');
    expect(errorCodeName(77)).toBe('ERROR_77');
  });
});
