// Every size the wire protocol carries, named once. PROTOCOL.md lists the same numbers;
// test/protocol-doc.test.ts keeps the two in step.

/** TCRP fixed header length in bytes. */
export const TCRP_HEADER_BYTES = 32;
/** Width of the OperationPayloadSize field (big-endian unsigned). */
export const TCRP_SIZE_FIELD_BYTES = 29;
/** Room names are 1..28 bytes of UTF-8 (spec: "max 28 bytes"). */
export const ROOM_NAME_MAX_BYTES = 28;
/** Usernames are 1..32 bytes of UTF-8 (our choice: short enough to prefix every message). */
export const USERNAME_MAX_BYTES = 32;
/** Passwords are 0..256 bytes of UTF-8; empty means "no password". */
export const PASSWORD_MAX_BYTES = 256;
/** Tokens are 1..255 printable ASCII bytes (spec: "up to 255 bytes"; TokenSize is one byte). */
export const TOKEN_MAX_BYTES = 255;
/** Default cap on a TCRP request payload; anything declaring more is refused before it is read. */
export const TCRP_DEFAULT_MAX_PAYLOAD_BYTES = 1024;
/** Client → server datagram cap (spec). */
export const UDP_CLIENT_MAX_BYTES = 4096;
/** Server → client datagram cap (spec). */
export const UDP_SERVER_MAX_BYTES = 4094;
/**
 * Longest chat text our clients send, in UTF-8 bytes. Chosen so that the text fits every framing:
 * client → server with a 28-byte room, a 255-byte foreign token and our 6-byte control prefix
 * (2 + 28 + 255 + 6 + 3800 = 4091 ≤ 4096), and server → client as `name: text` or as a structured
 * message event (at most 40 bytes of header, 4094 - 40 > 3800).
 */
export const MESSAGE_TEXT_MAX_BYTES = 3800;
