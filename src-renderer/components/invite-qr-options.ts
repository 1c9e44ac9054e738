// How the invite QR code is drawn: one place, so the tests rebuild the same symbol and compare pixels.
import type { QRCodeRenderersOptions } from 'qrcode';

/** Medium error correction, the 4-module quiet zone scanners need, 4 px a module, dark on white in any theme. */
export const INVITE_QR_OPTIONS = {
  errorCorrectionLevel: 'M',
  margin: 4,
  scale: 4,
  color: { dark: '#000000ff', light: '#ffffffff' },
} as const satisfies QRCodeRenderersOptions;
