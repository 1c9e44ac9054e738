// encrypted transport (#16): a join refused because a known host's certificate changed waits here
// for the user's decision. Trusting it tells the backend, then joins again with the same request.
// Kept apart from chat-store.ts so the feature reads in one place.
import type { StoreApi } from 'zustand/vanilla';
import type {
  CertificateChange,
  ChatApi,
  JoinRequest,
  KnownHostTransport,
  RoomId,
} from '../../src-shared/ipc/contract.js';

/** What was refused, to try again once the user trusts the new certificate: a join, or a sidebar rejoin. */
export type CertificateRetry = { kind: 'join'; request: JoinRequest } | { kind: 'rejoin'; roomId: RoomId };

export interface CertificatePrompt {
  retry: CertificateRetry;
  change: CertificateChange;
  /** Why trusting failed (the dialog stays open to say so); null until then. */
  error: string | null;
}

export interface TrustSlice {
  certificatePrompt: CertificatePrompt | null;
  /** A join or rejoin failed with CERTIFICATE_CHANGED: ask the user. */
  askAboutCertificate(retry: CertificateRetry, change: CertificateChange): void;
  /** The user trusts the new certificate: remember it and try again; true when that worked. */
  trustNewCertificate(): Promise<boolean>;
  /** Cancel: nothing is remembered and nothing is sent to the host. */
  cancelCertificate(): void;
  /** What known hosts say about an address as typed; 'unknown' when the backend cannot say. */
  knownHostTransport(address: string): Promise<KnownHostTransport>;
}

interface Needs {
  api: ChatApi | null;
  busy: boolean;
  joinRoom(request: JoinRequest): Promise<boolean>;
  rejoinRoom(roomId: RoomId): Promise<boolean>;
}

type State = TrustSlice & Needs;

export function createTrustSlice<S extends State>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
): TrustSlice {
  const patch = (p: Partial<State>) => set(p as Partial<S>);

  return {
    certificatePrompt: null,
    askAboutCertificate: (retry, change) => patch({ certificatePrompt: { retry, change, error: null } }),
    trustNewCertificate: async () => {
      const prompt = get().certificatePrompt;
      const api = get().api;
      if (!prompt || !api || get().busy) return false;
      const { host, port, presented } = prompt.change;
      patch({ busy: true });
      const trusted = await api
        .trustHostCertificate({ host, port, fingerprint: presented })
        .catch((err: unknown) => ({ ok: false as const, code: 'INTERNAL', message: (err as Error).message }));
      if (!trusted.ok) {
        patch({ busy: false, certificatePrompt: { ...prompt, error: trusted.message || trusted.code } });
        return false;
      }
      patch({ certificatePrompt: null });
      const { retry } = prompt;
      return retry.kind === 'join' ? get().joinRoom(retry.request) : get().rejoinRoom(retry.roomId);
    },
    cancelCertificate: () => patch({ certificatePrompt: null, busy: false }),
    knownHostTransport: async (address) => {
      const result = await get()
        .api?.knownHostTransport({ address })
        .catch(() => null);
      return result?.ok ? result.value : 'unknown';
    },
  };
}
