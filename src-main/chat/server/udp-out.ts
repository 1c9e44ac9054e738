// The one place that writes to the UDP socket: counts, never throws, and can be drained on shutdown.
import type { Socket } from 'node:dgram';
import type { Member } from './room-registry.js';

export class UdpOut {
  sent = 0;
  failed = 0;
  private tracking = false;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private readonly onSent = (): void => {
    this.inFlight--;
    if (this.inFlight === 0 && this.drained) this.drained();
  };

  constructor(private readonly socket: Socket) {}

  send(buf: Uint8Array, to: Member): void {
    try {
      if (this.tracking) {
        this.inFlight++;
        this.socket.send(buf, to.port, to.address, this.onSent);
      } else {
        this.socket.send(buf, to.port, to.address);
      }
      this.sent++;
    } catch {
      // The socket is closed or the address unusable; the datagram is lost like any other.
      if (this.tracking) this.inFlight--;
      this.failed++;
    }
  }

  /** From now on, remember sends in flight so `drain` can wait for them (used only on shutdown). */
  track(): void {
    this.tracking = true;
  }

  /** Resolves once every tracked send completed, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.inFlight <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
