import { useEffect } from 'react';
import { Sidebar } from './components/Sidebar.js';
import { HostForm } from './components/HostForm.js';
import { JoinForm } from './components/JoinForm.js';
import { RoomScreen } from './components/Room.js';
import { PasswordDialog } from './components/PasswordDialog.js';
import { CertificateDialog } from './components/CertificateDialog.js';
import { chatSelectors } from './store/selectors.js';
import { useChat } from './store/use-chat.js';

export function App() {
  const screen = useChat((s) => s.screen);
  const room = useChat(chatSelectors.activeRoom);
  const backendLost = useChat((s) => s.backendLost);
  const hasPrompt = useChat((s) => s.passwordPrompt !== null || s.certificatePrompt !== null);
  const unread = useChat(chatSelectors.totalUnread);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Tincan` : 'Tincan';
  }, [unread]);
  return (
    <div className="app">
      {/* While a dialog (password, changed certificate) is open, nothing behind it can be focused or read. */}
      <Sidebar inert={hasPrompt} />
      <main className="main" inert={hasPrompt}>
        {backendLost && (
          <p role="alert" className="banner banner-error">
            The Tincan backend is not reachable. Restart it (npm run web) and reload this page.
          </p>
        )}
        {screen === 'host' ? (
          <HostForm />
        ) : screen === 'room' && room ? (
          <RoomScreen key={room.id} room={room} />
        ) : (
          <JoinForm />
        )}
      </main>
      <PasswordDialog />
      <CertificateDialog />
    </div>
  );
}
