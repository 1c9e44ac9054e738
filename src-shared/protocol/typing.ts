// The timing of typing indicators (PROTOCOL.md §2b), written once for the client, the server and the UI.

/** A client sends TYPING at most this often while its user keeps typing. */
export const TYPING_SEND_INTERVAL_MS = 3_000;
/** The server drops a member's TYPING that comes sooner than this after its last relayed one. */
export const TYPING_RELAY_MIN_INTERVAL_MS = 2_000;
/** How long "alice is typing…" stays without a fresh TYPING from alice. */
export const TYPING_SHOWN_MS = 5_000;
