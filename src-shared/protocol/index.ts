// The wire protocol: codecs and limits shared by the server, the client, the CLI and the UI.
export * from './limits.js';
export * from './status.js';
export * from './utf8.js';
export * from './names.js';
export * from './tcrp.js';
export * from './tcrp-decoder.js';
export * from './udp.js';
export * from './handshake-payload.js';
export * from './closed-reasons.js';
export * from './left-reasons.js';
export * from './session-kinds.js';
export * from './control.js';
export * from './plain-text.js';
export * from './plain-line-breaks.js';
export * from './typing.js';
