// An inline confirmation ("Clear history" → "Yes, clear" / "Cancel"): a button opens it, and when it
// closes focus goes back to that button once it is on screen again (after an asynchronous "Yes" that
// is after the request, when a microtask would still find no button).
import { useCallback, useEffect, useRef, useState } from 'react';

export function useInlineConfirm() {
  const [confirming, setConfirming] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const returning = useRef(false);
  useEffect(() => {
    if (confirming || !returning.current) return;
    returning.current = false;
    buttonRef.current?.focus();
  }, [confirming]);
  const open = useCallback(() => setConfirming(true), []);
  const close = useCallback(() => {
    returning.current = true;
    setConfirming(false);
  }, []);
  return { confirming, buttonRef, open, close };
}
