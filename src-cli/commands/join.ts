// `tincan join <server> <room>` or `tincan join <invite link>`: join a room on a running server and chat.
import { runChat } from '../chat/run-chat.js';
import type { RoomConfig } from '../options.js';
import type { Runtime } from '../runtime.js';

export function joinCommand(config: RoomConfig, rt: Runtime): Promise<number> {
  return runChat({ ...config, mode: 'join' }, rt);
}
