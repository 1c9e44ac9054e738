// How many history entries a room keeps, in the service and in the UI alike: old lines fall off, so
// memory stays flat in a long session and getHistory never returns more than the UI would keep.
export const HISTORY_LIMIT = 10_000;

// History kept on disk between runs (#14 item 2): how many messages a room keeps, as the user may
// set it, and the largest page the UI may ask for at once.
export const HISTORY_BOUND_DEFAULT = 10_000;
export const HISTORY_BOUND_MIN = 100;
export const HISTORY_BOUND_MAX = 100_000;
export const HISTORY_PAGE_MAX = 500;
