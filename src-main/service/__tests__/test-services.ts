// Real services and backends for the service tests (the engine underneath, sockets on loopback):
// whatever a test makes is shut down after it, and a backend's data folder removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger, type ClientOptions, type ServerOptions } from '../../engine/index.js';
import { createBackend, type Backend, type BackendOptions } from '../backend.js';
import { ChatService } from '../chat-service.js';
import { realFactories, type ChatFactories } from '../factories.js';

/**
 * Registers the clean-up in the calling file and returns a maker of services on the real engine;
 * their clients give up a handshake after 2 s unless `clientDefaults` says otherwise.
 */
export function serviceFactory(): (clientDefaults?: Partial<ClientOptions>, factories?: ChatFactories) => ChatService {
  const services: ChatService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.shutdown(2000)));
  });
  return (clientDefaults = { handshakeTimeoutMs: 2000 }, factories = realFactories) => {
    const service = new ChatService({ factories, clientDefaults });
    services.push(service);
    return service;
  };
}

/** The real factories, with the hosted server's own options changed by `server` (still the real ChatServer). */
export function factoriesWith(server: Partial<ServerOptions>): ChatFactories {
  return { ...realFactories, createServer: (options) => realFactories.createServer({ ...options, ...server }) };
}

/** As serviceFactory, for whole backends, each in a fresh data folder. */
export function backendFactory(): (hooks?: BackendOptions['hooks']) => Backend & { dataDir: string } {
  const made: Array<{ backend: Backend; dir: string }> = [];
  afterEach(async () => {
    for (const { backend, dir } of made.splice(0)) {
      await backend.service.shutdown(2000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (hooks) => {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-backend-'));
    const backend = createBackend({ dataDir: dir, logger: silentLogger, nearby: false, ...(hooks ? { hooks } : {}) });
    made.push({ backend, dir });
    return { ...backend, dataDir: dir };
  };
}

/** A data folder that backends start in one after another, as the app does across restarts. */
export interface DataFolder {
  dir: string;
  /** A backend on this folder; the previous one should be shut down first, as a quitting app is. */
  start(options?: Partial<Omit<BackendOptions, 'dataDir'>>): Backend;
}

/** As backendFactory, for data folders that outlive their backends; all removed after each test. */
export function dataFolderFactory(): () => DataFolder {
  const folders: string[] = [];
  const backends: Backend[] = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.service.shutdown(2000)));
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-data-'));
    folders.push(dir);
    return {
      dir,
      start: (options = {}) => {
        const backend = createBackend({ logger: silentLogger, ...options, dataDir: dir });
        backends.push(backend);
        return backend;
      },
    };
  };
}
