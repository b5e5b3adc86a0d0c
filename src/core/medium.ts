/**
 * The one interface every medium implements (in-memory radio, UDP, serial bridge): a node
 * sends whole frames and hears whole frames. A frame is at most `mtu` bytes.
 *
 * Link peers are opaque strings the medium understands ("127.0.0.1:4000" for UDP, a node name
 * in memory). Omitting `to` broadcasts to every peer in reach, as a radio does.
 *
 * @example
 * const off = medium.onFrame((frame, from) => console.log(from, frame.length));
 * medium.send(new Uint8Array(16));
 * off();
 */
export type LinkPeer = string;

export type FrameListener = (frame: Uint8Array, from: LinkPeer) => void;

export interface Medium {
  /** Largest frame in bytes this medium carries (nRF24: 32; UDP and serial: 255). */
  readonly mtu: number;
  /** Queues a frame; throws FrameTooLargeError when it exceeds `mtu`. */
  send(frame: Uint8Array, to?: LinkPeer): void;
  /** Subscribes to received frames; returns the unsubscribe function. */
  onFrame(listener: FrameListener): () => void;
  /** Releases sockets, ports and timers; no frame is delivered after it resolves. */
  close(): Promise<void>;
}
