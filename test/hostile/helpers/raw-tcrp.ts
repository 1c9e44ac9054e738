// Moved: the raw TCRP harness lives in test/support/raw-tcrp.ts (kept here so older imports still resolve).
export * from '../../support/raw-tcrp.js';
