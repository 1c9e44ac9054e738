// Incremental TCRP decoder: fed arbitrary TCP chunks, it yields whole frames. Frames may be split
// across chunks or several may arrive in one. Sizes are checked the moment the header is complete,
// before one byte of the body is buffered.
import { ROOM_NAME_MAX_BYTES, TCRP_DEFAULT_MAX_PAYLOAD_BYTES, TCRP_HEADER_BYTES } from './limits.js';
import { readDeclaredSize, type TcrpFrame } from './tcrp.js';

export type TcrpDecodeErrorCode = 'ROOM_NAME_SIZE' | 'PAYLOAD_TOO_LARGE';

export class TcrpDecodeError extends Error {
  constructor(
    readonly code: TcrpDecodeErrorCode,
    message: string,
    /** The header that caused the error, so a reply can echo its operation. */
    readonly header: Uint8Array,
  ) {
    super(message);
    this.name = 'TcrpDecodeError';
  }
}

export interface TcrpDecoderOptions {
  /** Largest OperationPayloadSize accepted (default 1024). */
  maxPayloadBytes?: number;
  /** Largest RoomNameSize accepted (default 28, the spec's limit). */
  maxRoomNameBytes?: number;
  /** Whether RoomNameSize 0 is allowed (replies from some servers omit the room). Default false. */
  allowEmptyRoom?: boolean;
}

export class TcrpDecoder {
  private readonly maxPayload: number;
  private readonly maxRoom: number;
  private readonly allowEmptyRoom: boolean;
  private readonly header = new Uint8Array(TCRP_HEADER_BYTES);
  private headerFill = 0;
  private body: Uint8Array | null = null;
  private bodyFill = 0;
  private roomSize = 0;
  private failed: TcrpDecodeError | null = null;

  constructor(options: TcrpDecoderOptions = {}) {
    this.maxPayload = options.maxPayloadBytes ?? TCRP_DEFAULT_MAX_PAYLOAD_BYTES;
    this.maxRoom = options.maxRoomNameBytes ?? ROOM_NAME_MAX_BYTES;
    this.allowEmptyRoom = options.allowEmptyRoom ?? false;
  }

  /** Bytes buffered for a frame that is not complete yet. */
  get pendingBytes(): number {
    return this.headerFill + this.bodyFill;
  }

  /** True while no partial frame is buffered. */
  get idle(): boolean {
    return this.headerFill === 0 && this.body === null;
  }

  /**
   * Feeds a chunk; returns the frames it completed and how many bytes of the chunk they used.
   * Throws TcrpDecodeError on a header that breaks the limits; the decoder then stays failed.
   * With `maxFrames` it stops early; bytes past `used` are left to the caller (e.g. a UDP port
   * that a client writes after its request).
   */
  push(chunk: Uint8Array, maxFrames = Infinity): { frames: TcrpFrame[]; used: number } {
    if (this.failed) throw this.failed;
    const frames: TcrpFrame[] = [];
    let offset = 0;
    while (offset < chunk.length && frames.length < maxFrames) {
      let body = this.body;
      if (body === null) {
        const take = Math.min(TCRP_HEADER_BYTES - this.headerFill, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < TCRP_HEADER_BYTES) break;
        body = this.startBody();
      }
      const take = Math.min(body.length - this.bodyFill, chunk.length - offset);
      body.set(chunk.subarray(offset, offset + take), this.bodyFill);
      this.bodyFill += take;
      offset += take;
      if (this.bodyFill === body.length) frames.push(this.finishFrame());
    }
    return { frames, used: offset };
  }

  /** Checks the complete header against the limits and allocates the body it declares. */
  private startBody(): Uint8Array {
    const roomSize = this.header[0] ?? 0;
    if (roomSize > this.maxRoom || (roomSize === 0 && !this.allowEmptyRoom)) {
      this.failed = new TcrpDecodeError(
        'ROOM_NAME_SIZE',
        `RoomNameSize ${roomSize} is outside 1..${this.maxRoom}`,
        this.header.slice(),
      );
      throw this.failed;
    }
    const declared = readDeclaredSize(this.header);
    if (declared > this.maxPayload) {
      this.failed = new TcrpDecodeError(
        'PAYLOAD_TOO_LARGE',
        `OperationPayloadSize ${declared === Infinity ? '≥ 2^48' : declared} exceeds the cap of ${this.maxPayload}`,
        this.header.slice(),
      );
      throw this.failed;
    }
    this.roomSize = roomSize;
    this.body = new Uint8Array(roomSize + declared);
    this.bodyFill = 0;
    return this.body;
  }

  private finishFrame(): TcrpFrame {
    const body = this.body as Uint8Array;
    const frame: TcrpFrame = {
      operation: this.header[1] ?? 0,
      state: this.header[2] ?? 0,
      room: body.subarray(0, this.roomSize),
      payload: body.subarray(this.roomSize),
    };
    this.body = null;
    this.bodyFill = 0;
    this.headerFill = 0;
    return frame;
  }
}
