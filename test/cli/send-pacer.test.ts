// The outgoing token bucket: a burst at once, then the sustained rate; held while reconnecting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendPacer } from '../../src-cli/chat/send-pacer.js';

describe('SendPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function pacer(rate = 10, burst = 5): { sent: string[]; pacer: SendPacer } {
    const sent: string[] = [];
    return {
      sent,
      pacer: new SendPacer(
        (t) => sent.push(t),
        { ratePerSecond: rate, burst },
        () => Date.now(),
      ),
    };
  }

  it('sends a burst at once, then at the sustained rate, in order', async () => {
    const { sent, pacer: p } = pacer(10, 5);
    for (let i = 0; i < 15; i++) p.push(`m${i}`);
    expect(sent).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(p.pending).toBe(10);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.length).toBe(10);
    const idle = p.whenIdle();
    await vi.advanceTimersByTimeAsync(500);
    await idle;
    expect(sent).toEqual(Array.from({ length: 15 }, (_, i) => `m${i}`));
  });

  it('the bucket refills while idle, never above the burst', async () => {
    const { sent, pacer: p } = pacer(10, 5);
    for (let i = 0; i < 5; i++) p.push('x');
    await vi.advanceTimersByTimeAsync(60_000);
    for (let i = 0; i < 8; i++) p.push('y');
    expect(sent.length).toBe(10);
  });

  it('holds while told to and resumes where it stopped', async () => {
    const { sent, pacer: p } = pacer(10, 5);
    p.hold(true);
    p.push('a');
    p.push('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([]);
    p.hold(false);
    expect(sent).toEqual(['a', 'b']);
  });

  it('stop drops the queue and releases whoever waits', async () => {
    const { sent, pacer: p } = pacer(1, 1);
    p.push('a');
    p.push('b');
    const idle = p.whenIdle();
    p.stop();
    await idle;
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual(['a']);
    p.push('c');
    expect(p.pending).toBe(0);
  });
});
