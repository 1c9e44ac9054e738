// The preload exposes the contract's ChatApi as window.api (absent in web mode).
import type { ChatApi } from '../src-shared/ipc/contract.js';

declare global {
  interface Window {
    api?: ChatApi;
  }
}

export {};
