// Moved: the generic waiter lives in test/support/events.ts (kept here so older imports still resolve).
export { waitForEvent } from '../support/events.js';
