import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { openLinkFromHash, resolveApi, startBridge } from './bridge.js';
import { chatStore } from './store/chat-store.js';
import { notifyWebLine } from './web-notifications.js';
import './styles.css';

const api = resolveApi();
if (api) {
  // The desktop app notifies from main; in web mode the page does, with the same rule.
  startBridge(api, chatStore, window.api ? {} : { onLine: (roomId, entry) => notifyWebLine(chatStore, roomId, entry) });
  openLinkFromHash(window.location.hash);
  // A link put into the address of an open page, the web-mode analogue of a second instance.
  window.addEventListener('hashchange', () => openLinkFromHash(window.location.hash));
} else chatStore.getState().setBackendLost(true);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
