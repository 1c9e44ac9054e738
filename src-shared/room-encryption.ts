// What a room may honestly say about encryption (#16 item 5): "Encrypted" only when every member's
// connection to the host is, and otherwise who is on a plain one. One rule for the app and the CLI.
import type { RoomTransport } from './ipc/contract.js';

export type RoomEncryptionLevel = 'encrypted' | 'partly' | 'plain' | 'unknown';

export interface RoomEncryption {
  level: RoomEncryptionLevel;
  /** A word or two for a badge. */
  label: string;
  /** One sentence: what is protected and what is not. */
  detail: string;
  /** Members on plain connections, in list order (empty unless `level` is 'partly'). */
  plainMembers: string[];
}

interface Member {
  name: string;
  /** Absent: the host's server does not say (Tincan dialect before version 3, or a plain server). */
  plain?: boolean;
}

/** Joins names for a sentence: "ann", "ann and bo", "ann, bo and 3 others". */
export function nameList(names: readonly string[], shown = 3): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= shown) return `${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`;
  const rest = names.length - (shown - 1);
  return `${names.slice(0, shown - 1).join(', ')} and ${rest} others`;
}

/**
 * The room's encryption as this member can know it: its own connection, and each other member's as
 * the host's server reports it. Null before the first connection (nothing is known yet).
 */
export function roomEncryption(own: RoomTransport | null, members: readonly Member[]): RoomEncryption | null {
  if (own === null) return null;
  if (own === 'plain')
    return {
      level: 'plain',
      label: 'Not encrypted',
      detail: 'Your connection to the host is not encrypted: what you send and read crosses the network in clear.',
      plainMembers: [],
    };
  if (members.some((m) => m.plain === undefined))
    return {
      level: 'unknown',
      label: 'Encrypted to the host',
      detail: "Your connection is encrypted; this host does not say whether the other members' are.",
      plainMembers: [],
    };
  const plainMembers = members.filter((m) => m.plain === true).map((m) => m.name);
  if (plainMembers.length === 0)
    return {
      level: 'encrypted',
      label: 'Encrypted',
      detail: "Every member's connection to the host is encrypted. The host's server can still read the room.",
      plainMembers,
    };
  const verb = plainMembers.length === 1 ? 'is' : 'are';
  return {
    level: 'partly',
    label: 'Not all encrypted',
    detail: `${nameList(plainMembers)} ${verb} on a plain connection: what the room says reaches them in clear.`,
    plainMembers,
  };
}
