// The small sets that describe a room session, written once: a member's role, the dialect a session
// speaks, and the connection states with what the UI says for each. Types and validators derive from them.

export const ROLES = ['host', 'member'] as const;
/** A member's role in a room: the host created it (and closing it is theirs), everyone else is a member. */
export type Role = (typeof ROLES)[number];

export const DIALECTS = ['tincan', 'plain'] as const;
/** 'tincan': the server negotiated our structured dialect; 'plain': it speaks only the spec. */
export type Dialect = (typeof DIALECTS)[number];

export const CONNECTION_STATES = [
  { name: 'connecting', label: 'Connecting…' },
  { name: 'connected', label: 'Connected' },
  { name: 'reconnecting', label: 'Reconnecting…' },
  { name: 'closed', label: 'Closed' },
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number]['name'];

/** The state names as a non-empty tuple, for z.enum. */
export const CONNECTION_STATE_NAMES = CONNECTION_STATES.map((s) => s.name) as [ConnectionState, ...ConnectionState[]];

/** What the UI says for each state. */
export const CONNECTION_STATE_LABEL = Object.freeze(
  Object.fromEntries(CONNECTION_STATES.map((s) => [s.name, s.label])),
) as Readonly<Record<ConnectionState, string>>;
