/**
 * UDP as a medium: one datagram is one frame. A node binds HOST:PORT and lists its peers;
 * a broadcast is one datagram to each peer, a unicast goes to any HOST:PORT (also senders that
 * are not configured peers, such as the seed's C program talking from its own port), and each
 * received frame names its sender as HOST:PORT. Datagrams over the MTU are dropped and counted.
 *
 * @example
 * const udp = await openUdpMedium({ bind: '127.0.0.1:4000', peers: ['127.0.0.1:4001'] });
 * udp.onFrame((frame, from) => udp.send(frame, from)); // echo back to whoever sent it
 * udp.send(Uint8Array.of(1, 2, 3)); // to every peer
 * await udp.close();
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { ClosedError, FrameTooLargeError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { FrameListener, LinkPeer, Medium } from '../core/medium.ts';
import { AddressInUseError, InvalidAddressError, InvalidMediumOptionError } from './errors.ts';
import { ListenerSet } from './listener-set.ts';
import type { MediumCounters } from './medium-counters.ts';
import {
  canonicalHost,
  formatUdpAddress,
  parseUdpAddress,
  type UdpAddress,
} from './udp-address.ts';

/** What the seed protocol's frames can reach; UDP and serial carry it whole. */
export const UDP_DEFAULT_MTU = 255;
/** The largest UDP payload over IPv4. */
const UDP_MAX_PAYLOAD = 65_507;

export interface UdpMediumOptions {
  /** HOST:PORT to bind; port 0 picks a free port (read it back from `address`). */
  bind: string;
  /** HOST:PORT of every peer a broadcast goes to. @default [] */
  peers?: readonly string[];
  /** Largest frame sent or accepted. @default 255 */
  mtu?: number;
  /**
   * Kernel receive buffer. The Linux default (208 KiB) overflows after about 200 back-to-back
   * datagrams, because each small one costs a whole buffer slot; the kernel caps the value at
   * net.core.rmem_max. @default 1 MiB
   */
  receiveBufferBytes?: number;
  /** Receives send failures. @default silentLogger */
  logger?: Logger;
}

export interface UdpCounters extends MediumCounters {
  /** Datagrams the operating system refused to send (no route, unreachable...). */
  sendErrors: number;
}

export interface UdpMedium extends Medium {
  /** The bound HOST:PORT, with the real port when 0 was asked for. */
  readonly address: LinkPeer;
  /** The peers a broadcast goes to, in canonical form. */
  readonly peers: readonly LinkPeer[];
  readonly counters: Readonly<UdpCounters>;
  /** Adds a broadcast peer (a no-op when present); returns its canonical form. */
  addPeer(peer: string): LinkPeer;
  /** Removes a broadcast peer; returns whether it was one. */
  removePeer(peer: string): boolean;
}

/** Canonical text of a sender; a small cache keeps IPv6 canonicalisation off the hot path. */
class SenderNames {
  private readonly names = new Map<string, string>();

  name(rinfo: RemoteInfo): string {
    const key = `${rinfo.address}|${rinfo.port}`;
    let name = this.names.get(key);
    if (name === undefined) {
      const host = canonicalHost(rinfo.address)?.host ?? rinfo.address;
      name = formatUdpAddress(host, rinfo.port);
      if (this.names.size >= 4096) this.names.clear();
      this.names.set(key, name);
    }
    return name;
  }
}

class UdpSocketMedium implements UdpMedium {
  readonly counters: UdpCounters = { framesIn: 0, framesOut: 0, dropped: 0, sendErrors: 0 };
  private readonly peerAddresses = new Map<LinkPeer, UdpAddress>();
  private readonly listeners = new ListenerSet();
  private readonly senders = new SenderNames();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    readonly address: LinkPeer,
    private readonly family: 4 | 6,
    peers: readonly string[],
    readonly mtu: number,
    private readonly logger: Logger,
  ) {
    for (const peer of peers) this.addPeer(peer);
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    // After bind, socket errors are per-datagram conditions: log them, never crash the node.
    socket.on('error', (error) => this.logger.warn({ err: error, medium: address }, 'udp error'));
  }

  get peers(): readonly LinkPeer[] {
    return [...this.peerAddresses.keys()];
  }

  addPeer(peer: string): LinkPeer {
    const address = parseUdpAddress(peer, 'peer');
    if (address.port === 0) throw new InvalidAddressError(peer, 'peer', 'port 0 cannot be sent to');
    if (address.family !== this.family) {
      throw new InvalidAddressError(peer, 'peer', `this medium is bound to IPv${this.family}`);
    }
    const name = formatUdpAddress(address.host, address.port);
    this.peerAddresses.set(name, address);
    return name;
  }

  removePeer(peer: string): boolean {
    const address = parseUdpAddress(peer, 'peer');
    return this.peerAddresses.delete(formatUdpAddress(address.host, address.port));
  }

  send(frame: Uint8Array, to?: LinkPeer): void {
    if (this.closing) throw new ClosedError(`UDP medium ${this.address} is closed`);
    if (frame.length > this.mtu) throw new FrameTooLargeError(frame.length, this.mtu);
    const targets = to === undefined ? this.peerAddresses.values() : [this.target(to)];
    this.counters.framesOut++;
    // One copy now: the caller may reuse its buffer before the kernel has taken the datagram.
    const datagram = Buffer.from(frame);
    for (const peer of targets) {
      this.socket.send(datagram, peer.port, peer.host, (error) => {
        if (!error) return;
        this.counters.sendErrors++;
        this.logger.warn({ err: error, to: formatUdpAddress(peer.host, peer.port) }, 'udp send');
      });
    }
  }

  onFrame(listener: FrameListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.listeners.clear();
      this.socket.close(() => resolve());
    });
    return this.closing;
  }

  private target(to: LinkPeer): UdpAddress {
    const address = parseUdpAddress(to, 'destination');
    if (address.family !== this.family) {
      throw new InvalidAddressError(to, 'destination', `this medium is bound to IPv${this.family}`);
    }
    return address;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    if (msg.length > this.mtu) {
      this.counters.dropped++;
      return;
    }
    this.counters.framesIn++;
    const frame = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    this.listeners.emit(frame, this.senders.name(rinfo));
  }
}

function bindSocket(socket: Socket, bind: UdpAddress, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      socket.close();
      if (error.code === 'EADDRINUSE') reject(new AddressInUseError(text, { cause: error }));
      else {
        const reason = `${error.code ?? 'error'}: cannot bind it on this host`;
        reject(new InvalidAddressError(text, 'bind address', reason, { cause: error }));
      }
    };
    socket.once('error', onError);
    socket.bind({ address: bind.host, port: bind.port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Binds a UDP socket and resolves with a medium once it is ready to send and receive. */
export async function openUdpMedium(options: UdpMediumOptions): Promise<UdpMedium> {
  const mtu = options.mtu ?? UDP_DEFAULT_MTU;
  if (!Number.isInteger(mtu) || mtu < 1 || mtu > UDP_MAX_PAYLOAD) {
    throw new InvalidMediumOptionError('mtu', mtu, `an integer in 1..${UDP_MAX_PAYLOAD}`);
  }
  const recvBufferSize = options.receiveBufferBytes ?? 1 << 20;
  if (!Number.isInteger(recvBufferSize) || recvBufferSize < 1) {
    throw new InvalidMediumOptionError('receiveBufferBytes', recvBufferSize, 'an integer >= 1');
  }
  const bind = parseUdpAddress(options.bind, 'bind address');
  // Peers are checked before binding so a bad one leaves no socket behind.
  for (const p of options.peers ?? []) {
    const peer = parseUdpAddress(p, 'peer');
    if (peer.port === 0) throw new InvalidAddressError(p, 'peer', 'port 0 cannot be sent to');
    if (peer.family !== bind.family) {
      throw new InvalidAddressError(p, 'peer', `the bind address is IPv${bind.family}`);
    }
  }
  // One family per medium: a v6 socket does not also take v4-mapped traffic, so `from`
  // strings stay in the family the peers were configured in.
  const socket =
    bind.family === 6
      ? createSocket({ type: 'udp6', ipv6Only: true, recvBufferSize })
      : createSocket({ type: 'udp4', recvBufferSize });
  await bindSocket(socket, bind, options.bind);
  const bound = socket.address();
  const address = formatUdpAddress(canonicalHost(bound.address)?.host ?? bound.address, bound.port);
  return new UdpSocketMedium(
    socket,
    address,
    bind.family,
    options.peers ?? [],
    mtu,
    options.logger ?? silentLogger,
  );
}
