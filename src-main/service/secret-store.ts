// Where a remembered room's password may be kept: only sealed by the operating system's secret store
// (Electron: safeStorage, see src-main/electron/secret-store.ts). Without one, the password is not
// kept at all and the user is asked again when rejoining or hosting again.
export interface SecretStore {
  /** False when nothing would protect a sealed secret (web mode, tests, a Linux without a keyring). */
  isAvailable(): boolean;
  /** The secret sealed, as text fit for a JSON file. Only called when available. */
  encrypt(plain: string): string;
  /** Throws when the sealed text cannot be opened (another user, another machine, a wiped keyring). */
  decrypt(sealed: string): string;
}

/** Web mode and tests: no secret store, so no password is ever kept. */
export const NO_SECRET_STORE: SecretStore = {
  isAvailable: () => false,
  encrypt: () => {
    throw new Error('no secret store on this platform');
  },
  decrypt: () => {
    throw new Error('no secret store on this platform');
  },
};
