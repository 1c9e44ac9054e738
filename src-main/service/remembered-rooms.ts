// The rooms the user was in, kept between runs so the sidebar can offer Rejoin and Host again after a
// restart. One JSON file in the data folder, written atomically (temp file + rename), read as
// untrusted. A password is kept only sealed by the SecretStore, never in clear.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RememberedRoom {
  room: string;
  username: string;
  hosted: boolean;
  /** The host as shown in the sidebar ("This computer" for hosted rooms). */
  server: string;
  /** Members: where to connect. Hosts: the interface and port to host on again. */
  host: string;
  port: number;
  passwordProtected: boolean;
  /** The password sealed by the SecretStore, or null (none, or no secret store). */
  sealedPassword: string | null;
  /** Hosts: the room admits encrypted members only, and is hosted again so. */
  encryptedOnly?: boolean;
  /** Hosts: the router was asked to forward the port ("reachable from the internet"), and is again. */
  upnp?: boolean;
}

const FILE_NAME = 'rooms.json';
/** More than anyone keeps in a sidebar; a foreign file cannot make us restore thousands. */
export const REMEMBERED_LIMIT = 64;

export class RememberedRooms {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly log: (problem: string) => void = () => {},
  ) {
    this.file = join(dir, FILE_NAME);
  }

  load(): RememberedRoom[] {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`ignoring unreadable ${FILE_NAME}`);
      return [];
    }
    if (!Array.isArray(raw)) return [];
    return raw.slice(0, REMEMBERED_LIMIT).flatMap((r: unknown) => {
      const room = parseRoom(r);
      return room ? [room] : [];
    });
  }

  save(rooms: readonly RememberedRoom[]): void {
    try {
      // Which rooms on which hosts the user was in is theirs alone (the file mode, on POSIX).
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(rooms.slice(0, REMEMBERED_LIMIT), null, 2), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      // Forgetting the sidebar is not worth failing a join over.
      this.log(`cannot save ${FILE_NAME}: ${(err as Error).message}`);
    }
  }
}

const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

function parseRoom(raw: unknown): RememberedRoom | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (!text(r.room, 64) || !text(r.username, 64) || !text(r.server, 300) || typeof r.host !== 'string') return null;
  if (r.host.length > 300 || typeof r.hosted !== 'boolean' || typeof r.passwordProtected !== 'boolean') return null;
  if (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 0 || r.port > 65535) return null;
  const sealedPassword = text(r.sealedPassword, 4096) ? r.sealedPassword : null;
  return {
    room: r.room,
    username: r.username,
    hosted: r.hosted,
    server: r.server,
    host: r.host,
    port: r.port,
    passwordProtected: r.passwordProtected,
    sealedPassword,
    ...(r.hosted && r.encryptedOnly === true ? { encryptedOnly: true } : {}),
    ...(r.hosted && r.upnp === true ? { upnp: true } : {}),
  };
}
