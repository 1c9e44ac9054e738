// Each source of errors maps to its code by type: a handshake refusal keeps its status name, a send
// that does not fit is TEXT_TOO_LONG, a missing session NOT_CONNECTED, a taken port PORT_IN_USE.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SERVICE_ERROR_CODES } from '../../../src-shared/ipc/contract.js';
import { HandshakeError, NotConnectedError } from '../../engine/index.js';
import { connectFailure, listenFailure, sendFailure, unexpectedFailure } from '../error-mapping.js';
import { ServiceError } from '../service-error.js';

describe('error mapping', () => {
  it('keeps the TCRP status name and transport failures of a handshake', () => {
    expect(connectFailure(HandshakeError.transport('UNREACHABLE', 'nobody there')).code).toBe('UNREACHABLE');
    const refused = connectFailure(new HandshakeError('WRONG_PASSWORD', 3, 'wrong password'));
    expect(refused).toMatchObject({ code: 'WRONG_PASSWORD', message: 'Wrong password' });
    expect(connectFailure(new Error('boom')).code).toBe('INTERNAL');
  });

  it('tells a missing session from a text that does not fit', () => {
    expect(sendFailure(new NotConnectedError('not connected')).code).toBe('NOT_CONNECTED');
    expect(sendFailure(new RangeError('message of 5000 bytes exceeds 3800 bytes')).code).toBe('TEXT_TOO_LONG');
    expect(sendFailure(new TypeError('odd')).code).toBe('INTERNAL');
  });

  it('maps a port that is taken on a real socket to PORT_IN_USE', async () => {
    const first = createServer();
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const port = (first.address() as { port: number }).port;
    const second = createServer();
    const err = await new Promise<Error>((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    first.close();
    expect(listenFailure(err).code).toBe('PORT_IN_USE');
    expect(listenFailure(new Error('no code')).code).toBe('INTERNAL');
  });

  it('passes a ServiceError through and uses only listed codes of its own', () => {
    const own = new ServiceError('BAD_NAME', 'bad');
    expect(unexpectedFailure(own)).toBe(own);
    expect(listenFailure(own)).toBe(own);
    expect(SERVICE_ERROR_CODES).toContain(unexpectedFailure('x').code);
  });
});
