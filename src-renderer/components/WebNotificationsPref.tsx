// Web mode's "Desktop notifications" switch: the only place the browser is asked for permission, so
// the request always follows the user's click. Electron shows notifications from main and needs no
// switch, so the app renders this in web mode only.
import { useState } from 'react';
import { setWebNotifications, webNotificationState } from '../web-notifications.js';

export function WebNotificationsPref() {
  const [state, setState] = useState(webNotificationState);
  if (state === 'unsupported') return null;
  return (
    <div className="notification-pref">
      <label className="check">
        <input
          type="checkbox"
          checked={state === 'on'}
          disabled={state === 'blocked'}
          onChange={(e) => void setWebNotifications(e.currentTarget.checked).then(setState)}
        />
        Desktop notifications
      </label>
      {state === 'blocked' && (
        <p className="muted" role="status">
          This browser blocks notifications for this page: allow them in its site settings, then reload.
        </p>
      )}
    </div>
  );
}
