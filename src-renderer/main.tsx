import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { resolveApi, startBridge } from './bridge.js';
import { chatStore } from './store/chat-store.js';
import './styles.css';

const api = resolveApi();
if (api) startBridge(api);
else chatStore.getState().setBackendLost(true);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
