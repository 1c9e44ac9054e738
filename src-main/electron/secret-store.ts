// The SecretStore over Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). On Linux without
// a keyring safeStorage falls back to a fixed key ("basic_text"): that protects nothing, so it counts
// as unavailable and the password is asked again instead.
import { safeStorage } from 'electron';
import type { SecretStore } from '../service/secret-store.js';

export const safeStorageSecrets: SecretStore = {
  isAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
  decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
};
