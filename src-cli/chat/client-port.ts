// The part of the chat client the CLI uses, as a structural type: the commands depend on this
// shape, and main.ts plugs in the real ChatClient.
import type { ClientEvents, ClientOptions, ClientRole, Member } from '../../src-main/engine/index.js';

export type ConnectedInfo = ClientEvents['connected'][0];

export interface ChatClientPort {
  connect(): Promise<{ role: ClientRole; dialect: 'tincan' | 'plain'; token: string; resumed: boolean }>;
  send(text: string): unknown;
  leave(): unknown;
  closeRoom(): unknown;
  /** The member list as last heard (it arrives during connect(), before we listen for events). */
  readonly members: Member[];
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): unknown;
  off<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): unknown;
}

export type CreateClient = (options: ClientOptions) => ChatClientPort;
