// How the service gets its engine objects. The types are the engine's own public classes (from its
// one entry), so the service cannot drift from the client and server it really drives.
import { ChatClient, ChatServer, type ClientOptions, type HostIdentity, type Logger } from '../engine/index.js';

/** What ChatServer.listen() resolves to. */
export type ListenInfo = Awaited<ReturnType<ChatServer['listen']>>;

export interface ChatFactories {
  createServer(options: { host: string; port: number; logger: Logger; identity?: HostIdentity }): ChatServer;
  createClient(options: ClientOptions): ChatClient;
}

export const realFactories: ChatFactories = {
  // A room hosted from the app has a handful of members: plain node:dgram is plenty, and the app
  // (Electron or web mode) then never loads native code. `tincan serve` uses the native UDP path.
  createServer: (options) => new ChatServer({ ...options, nativeUdp: false }),
  createClient: (options) => new ChatClient(options),
};
