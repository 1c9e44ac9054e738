// The room's invite link as a QR code, for a phone or another computer's camera. Drawn here, into a
// canvas (pixels, no image URL: the CSP stays as it is), dark on white whatever the theme, with the
// quiet zone scanners need. The link is written beside it, and the canvas is labelled with it.
import { toCanvas } from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { INVITE_QR_OPTIONS } from './invite-qr-options.js';

export function InviteQr({ link }: { link: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let current = true;
    toCanvas(canvas, link, INVITE_QR_OPTIONS).then(
      () => current && setFailed(false),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [link]);
  return (
    <figure className="invite-qr">
      <canvas ref={canvasRef} role="img" aria-label="QR code of the invite link" hidden={failed} />
      <figcaption>
        {failed && <span className="muted">The QR code could not be drawn. </span>}
        <span className="muted">Scan to join, or use the link: </span>
        <code>{link}</code>
      </figcaption>
    </figure>
  );
}
