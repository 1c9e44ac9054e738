// How many history entries a room keeps, in the service and in the UI alike: old lines fall off, so
// memory stays flat in a long session and getHistory never returns more than the UI would keep.
export const HISTORY_LIMIT = 10_000;
