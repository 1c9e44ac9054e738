// One request–reply exchange with a gateway over UDP (NAT-PMP, PCP and STUN share it): resend at 250 ms,
// doubling, and accept only a datagram from the gateway's address and port that the reader takes as
// this request's answer. The socket is connected, so the kernel drops datagrams from anyone else and
// reports an ICMP "port unreachable" at once; it also tells us our own address on the gateway's side,
// which PCP writes into its request. Fewer tries than the RFCs' nine: a room's start-up should not
// wait a minute for a router that speaks neither protocol.
import { createSocket } from 'node:dgram';

const FIRST_WAIT_MS = 250;
/** Larger datagrams are not answers of either protocol (PCP's cap is 1100 bytes). */
const MAX_DATAGRAM_BYTES = 1100;

/** Nobody answered: the protocol is off or absent there (go on to the next one). */
export class NoAnswerError extends Error {}

export interface UdpGatewayExchange<T> {
  gateway: string;
  port: number;
  /** What the protocol is called in messages ("NAT-PMP", "PCP"). */
  protocol: string;
  /** Builds the request once our address on the gateway's side is known. */
  request: (localAddress: string) => Buffer;
  /** The answer to this request, or null for a datagram that is not (it is ignored and counted). */
  read: (reply: Buffer) => T | null;
  tries: number;
  /** The first wait for an answer, doubled after each resend (default 250 ms). */
  firstWaitMs?: number;
  /** Called once for every datagram from the gateway that was not this request's answer. */
  onIgnored?: () => void;
}

export function udpGatewayExchange<T>(ex: UdpGatewayExchange<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const socket = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      fn();
    };
    let request: Buffer;
    let sent = 0;
    const send = (): void => {
      if (sent === ex.tries) {
        settle(() => reject(new NoAnswerError(`no ${ex.protocol} answer from ${ex.gateway}`)));
        return;
      }
      socket.send(request);
      timer = setTimeout(send, (ex.firstWaitMs ?? FIRST_WAIT_MS) * 2 ** sent);
      sent += 1;
    };
    socket.on('message', (msg) => {
      let reply: T | null;
      try {
        reply = msg.length > MAX_DATAGRAM_BYTES ? null : ex.read(msg);
      } catch (err) {
        settle(() => reject(err as Error));
        return;
      }
      if (reply === null) ex.onIgnored?.();
      else settle(() => resolve(reply));
    });
    // ICMP "port unreachable" shows up as an error: nobody speaks the protocol there.
    socket.on('error', (err) =>
      settle(() => reject(new NoAnswerError(`no ${ex.protocol} at ${ex.gateway}: ${err.message}`))),
    );
    socket.connect(ex.port, ex.gateway, () => {
      try {
        request = ex.request(socket.address().address);
      } catch (err) {
        settle(() => reject(err as Error));
        return;
      }
      send();
    });
  });
}
