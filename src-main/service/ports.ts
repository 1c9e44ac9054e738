// The slices of the chat library the service uses, as structural types. The real ChatServer and
// ChatClient satisfy them; keeping the service on these small shapes makes its dependencies explicit.
import type { ClientEvents, ClientOptions, ClientRole, Logger } from '../engine/index.js';

export interface ConnectInfo {
  role: ClientRole;
  dialect: 'tincan' | 'plain';
  token: string;
  resumed: boolean;
}

export interface ChatClientPort {
  connect(): Promise<ConnectInfo>;
  /** Message id (Tincan dialect, reported back by 'delivered') or null (plain). */
  send(text: string): number | null;
  leave(): unknown;
  closeRoom(): unknown;
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): unknown;
  removeAllListeners(): unknown;
}

export interface ListenInfo {
  host: string;
  tcpPort: number;
  udpPort: number;
}

export interface ChatServerPort {
  listen(): Promise<ListenInfo>;
  close(): Promise<unknown> | unknown;
  roomList(): Array<{ name: string }>;
}

export type { Logger } from '../engine/index.js';

export interface ChatFactories {
  createServer(options: { host: string; port: number; logger: Logger }): ChatServerPort;
  createClient(options: ClientOptions): ChatClientPort;
}
