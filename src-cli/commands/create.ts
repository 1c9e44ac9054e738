// `tincan create <server> <room>`: create a room on a running server, become its host, and chat.
import { runChat } from '../chat/run-chat.js';
import type { RoomConfig } from '../options.js';
import type { Runtime } from '../runtime.js';

export function createCommand(config: RoomConfig, rt: Runtime): Promise<number> {
  return runChat({ ...config, mode: 'create' }, rt);
}
