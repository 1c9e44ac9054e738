// The host's invite panel draws a QR code of the room's link. jsdom has no canvas drawing, so the
// canvas gets a 2D context that only keeps the pixels put into it; those pixels are read back and
// compared, module by module, with the symbol the qrcode package builds for the link (no decoder).
import { act, render, screen, waitFor } from '@testing-library/react';
import { create } from 'qrcode';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App.js';
import { INVITE_QR_OPTIONS } from '../components/invite-qr-options.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

/** The last image each canvas was given. */
const drawn = new WeakMap<HTMLCanvasElement, ImageData>();

/** What qrcode's canvas renderer calls, keeping the image it puts for `canvas`. */
function pixelKeeper(
  canvas: HTMLCanvasElement,
): Pick<CanvasRenderingContext2D, 'createImageData' | 'clearRect' | 'putImageData'> {
  return {
    createImageData: ((width: number, height: number) =>
      ({
        width,
        height,
        data: new Uint8ClampedArray(width * height * 4),
      }) as ImageData) as CanvasRenderingContext2D['createImageData'],
    clearRect: () => undefined,
    putImageData: (image: ImageData) => drawn.set(canvas, image),
  };
}

beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    // eslint-disable-next-line no-restricted-syntax -- jsdom has no 2D context; this partial one is all qrcode uses
    return pixelKeeper(this) as unknown as CanvasRenderingContext2D;
  });
});
afterEach(() => vi.restoreAllMocks());

function hostRoom(link: string) {
  act(() => {
    fake.emit(
      'roomUpdated',
      roomView({
        role: 'host',
        hosted: true,
        share: { port: 7777, addresses: ['10.0.0.5:7777'], invite: `Room: lobby\nLink: ${link}`, portMapping: null },
      }),
    );
    chatStore.getState().selectRoom('r1');
  });
}

/** True when every module of the link's symbol has its colour at its place in `image`. */
function showsSymbolOf(image: ImageData, link: string): boolean {
  const { modules } = create(link, { errorCorrectionLevel: INVITE_QR_OPTIONS.errorCorrectionLevel });
  const { margin, scale } = INVITE_QR_OPTIONS;
  if (image.width !== (modules.size + 2 * margin) * scale) return false;
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      // The centre pixel of the module; red is 0 for dark, 255 for light.
      const x = (margin + col) * scale + scale / 2;
      const y = (margin + row) * scale + scale / 2;
      const red = image.data[(y * image.width + x) * 4];
      if ((red === 0) !== Boolean(modules.get(row, col))) return false;
    }
  }
  return true;
}

const LINK = 'tincan://join?v=1&host=10.0.0.5&port=7777&room=lobby';
const OTHER = 'tincan://join?v=1&host=10.0.0.6&port=7001&room=other';

describe('invite QR code', () => {
  it('draws the symbol of the room link, labelled, with the link beside it', async () => {
    render(<App />);
    hostRoom(LINK);
    const canvas = screen.getByRole('img', { name: 'QR code of the invite link' }) as HTMLCanvasElement;
    await waitFor(() => expect(drawn.get(canvas)).toBeDefined());
    const image = drawn.get(canvas)!;
    expect(showsSymbolOf(image, LINK)).toBe(true);
    expect(showsSymbolOf(image, OTHER)).toBe(false);
    expect(canvas.closest('figure')?.querySelector('figcaption')?.textContent).toContain(LINK);
    expect(canvas.closest('details')).not.toBeNull(); // collapses with the invite panel
  });

  it('redraws when the link changes, and is absent without a link', async () => {
    render(<App />);
    hostRoom(LINK);
    const canvas = screen.getByRole('img', { name: 'QR code of the invite link' }) as HTMLCanvasElement;
    await waitFor(() => expect(drawn.get(canvas)).toBeDefined());
    hostRoom(OTHER);
    await waitFor(() => expect(showsSymbolOf(drawn.get(canvas)!, OTHER)).toBe(true));
    act(() =>
      fake.emit(
        'roomUpdated',
        roomView({
          role: 'host',
          hosted: true,
          share: { port: 7777, addresses: ['x'], invite: 'Room: lobby', portMapping: null },
        }),
      ),
    );
    expect(screen.queryByRole('img', { name: 'QR code of the invite link' })).toBeNull();
  });
});
