// The backend both adapters run: the chat service, the preferences it remembers recents in, the
// history and remembered rooms it keeps in the data folder, and the request dispatcher over them.
// The Electron shell and web mode differ only in where the data folder is, in their platform hooks
// (opening links, the focused room) and in whether a secret store seals remembered passwords.
import { join } from 'node:path';
import {
  KnownHostsFile,
  loadOrCreateHostIdentity,
  MemoryTrustStore,
  type HostIdentity,
  type TrustStore,
} from '../engine/index.js';
import { PrefsStore } from '../prefs/prefs-store.js';
import { ChatService } from './chat-service.js';
import type { PortMapperTuning } from './hosted-port-mapping.js';
import { HistoryStore } from './history/history-store.js';
import { RememberedRooms } from './remembered-rooms.js';
import { NO_SECRET_STORE, type SecretStore } from './secret-store.js';
import { createDispatcher, type Dispatch, type PlatformHooks } from './dispatch.js';
import { realFactories, type ChatFactories } from './factories.js';
import { stderrLogger, type Logger } from './logger.js';
import { NearbyDiscovery } from './nearby/nearby-discovery.js';

export interface BackendOptions {
  /** Folder of prefs.json, rooms.json and history/. */
  dataDir: string;
  /** Where a remembered room's password may be sealed; default none (it is asked again). */
  secrets?: SecretStore;
  /** Default: the JSON-lines logger on stderr, tagged "tincan". */
  logger?: Logger;
  hooks?: PlatformHooks;
  /** Default: the real engine. */
  factories?: ChatFactories;
  /** Advertise hosted rooms and list others on the local network (mDNS); default on. */
  nearby?: boolean;
  /** Tests: the gateway the port mapper asks, and shorter waits; default the default route's. */
  portMapper?: PortMapperTuning;
}

export interface Backend {
  service: ChatService;
  prefs: PrefsStore;
  dispatch: Dispatch;
  logger: Logger;
}

export function createBackend(options: BackendOptions): Backend {
  const logger = options.logger ?? stderrLogger('tincan');
  const prefs = new PrefsStore(options.dataDir, (problem) => logger.warn('prefs-ignored', { problem }));
  // encrypted transport (#16): the hosted server's identity and the client's known hosts live in the
  // data folder beside prefs.json.
  let identity: Promise<HostIdentity> | null = null;
  const service = new ChatService({
    factories: options.factories ?? realFactories,
    logger,
    hostIdentity: () => (identity ??= loadOrCreateHostIdentity(join(options.dataDir, 'identity'))),
    clientDefaults: { encryption: { knownHosts: knownHosts(options.dataDir, logger) } },
    ...(options.nearby === false ? {} : { openDiscovery: () => NearbyDiscovery.open() }),
    persistence: {
      history: new HistoryStore(options.dataDir, {
        bound: () => prefs.read('historyBound'),
        onDamage: (file, droppedBytes) => logger.warn('history-tail-cut', { file, droppedBytes }),
      }),
      rooms: new RememberedRooms(options.dataDir, (problem) => logger.warn('rooms-ignored', { problem })),
      secrets: options.secrets ?? NO_SECRET_STORE,
      keepHistory: () => prefs.read('keepHistory'),
    },
    ...(options.portMapper ? { portMapper: options.portMapper } : {}),
    stunServer: () => prefs.read('stunServer'),
    onJoined: (info) =>
      prefs.remember({ displayName: info.displayName, room: info.room, ...(info.host ? { host: info.host } : {}) }),
  });
  const dispatch = createDispatcher(service, prefs, options.hooks ?? {}, logger);
  return { service, prefs, dispatch, logger };
}

/** The known-hosts file; a broken one is kept for the user to see and this run remembers in memory. */
function knownHosts(dataDir: string, logger: Logger): TrustStore {
  try {
    return new KnownHostsFile(join(dataDir, 'known-hosts.json'));
  } catch (err) {
    logger.warn('known-hosts-unreadable', { err });
    return new MemoryTrustStore();
  }
}
