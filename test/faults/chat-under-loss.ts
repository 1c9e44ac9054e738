// One scenario, run over either impairment (netem or the user-space relay): a host and three members
// chat for a few seconds over a lossy, jittery path. Reports what was delivered and every sign of a
// false disconnect (a member timed out, a client started reconnecting).
import { ChatClient } from '../../src-main/engine/client/index.js';
import { becomesTrue, letTimePass } from '../support/wait.js';

export interface LossScenario {
  host: string;
  tcpPort: number;
  /** Where clients send UDP (the relay's port, or the server's). */
  udpPort: number;
  room: string;
  durationMs: number;
  /** Gap between two messages of one client. */
  messageEveryMs: number;
}

export interface LossOutcome {
  sent: number;
  /** Message copies received, over those that should have been (sent × other members). */
  deliveredRatio: number;
  timedOutNotices: string[];
  reconnects: string[];
  /** Clients connected at the end. */
  connectedAtEnd: number;
  memberListsAtEnd: string[][];
}

const NAMES = ['host', 'ann', 'ben', 'cid'];

export async function chatUnderLoss(s: LossScenario): Promise<LossOutcome> {
  const clients: ChatClient[] = [];
  const received = new Map<string, Set<string>>();
  const timedOutNotices: string[] = [];
  const reconnects: string[] = [];
  try {
    for (const name of NAMES) {
      const c = new ChatClient({
        host: s.host,
        port: s.tcpPort,
        udpPort: s.udpPort,
        room: s.room,
        username: name,
        mode: name === 'host' ? 'create' : 'join',
        reconnect: true,
        maxReconnectAttempts: 20,
        handshakeTimeoutMs: 3000,
      });
      c.on('error', () => undefined);
      received.set(name, new Set());
      c.on('message', (m) => {
        if (!m.own) received.get(name)?.add(`${m.from}|${m.text}`);
      });
      c.on('left', (info) => {
        if (info.reason === 'timed-out') timedOutNotices.push(`${name} saw ${info.name} time out`);
      });
      c.on('state', (state) => {
        if (state === 'reconnecting') reconnects.push(name);
      });
      clients.push(c);
      await c.connect();
    }
    await letTimePass(300, 'let the join announcements settle before the measured chat');

    let sent = 0;
    const deadline = Date.now() + s.durationMs;
    let i = 0;
    while (Date.now() < deadline) {
      for (const c of clients) {
        if (c.state !== 'connected') continue;
        try {
          c.send(`m${i}`);
          sent++;
        } catch {
          // not connected this instant (reconnecting): the message is not sent, so not counted
        }
      }
      i++;
      await letTimePass(s.messageEveryMs, "send at the scenario's message rate");
    }
    await letTimePass(400, 'let stragglers arrive (network delay + jitter)');
    let got = 0;
    for (const set of received.values()) got += set.size;
    // Settle: under heavy loss a client may be mid-reconnect.
    await becomesTrue(() => clients.every((c) => c.state === 'connected'), { timeoutMs: 5000 });
    return {
      sent,
      deliveredRatio: sent === 0 ? 0 : got / (sent * (NAMES.length - 1)),
      timedOutNotices,
      reconnects,
      connectedAtEnd: clients.filter((c) => c.state === 'connected').length,
      memberListsAtEnd: clients.map((c) => c.members.map((m) => m.name).sort()),
    };
  } finally {
    for (const c of clients) await c.leave().catch(() => undefined);
  }
}
