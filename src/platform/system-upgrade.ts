/**
 * The port through which a node's agent replaces its own firmware, whatever the node is: an
 * OpenWrt router (`sysupgrade`) or a simulated node (modelled download and reboot). The agent's
 * upgrade core decides the order of the steps and reports each one; a SystemUpgrade only carries
 * one step out: fetch the image into temporary storage (bounded, hashed on the way), test it,
 * install it keeping the configuration and reboot, and keep a small journal that survives the
 * reboot so the agent can tell afterwards which upgrade it was in and answer it.
 *
 * @example
 * const image = await system.download({ url, maxBytes: 64 << 20, timeoutMs: 600_000 });
 * if (image.sha256 !== expected) await system.discard(image);
 * await system.test(image);                      // rejects with ImageTestFailedError
 * await system.saveJournal(JSON.stringify(pending));
 * await system.install(image);                   // the node reboots into the image
 * // after the reboot:
 * const pending = await system.loadJournal(); const running = await system.runningVersion();
 */

export interface ImageRequest {
  /** http:// or https:// only. */
  url: string;
  /** A larger image is refused with ImageTooLargeError, before or while it arrives. */
  maxBytes: number;
  /** The whole download, from request to last byte. */
  timeoutMs: number;
}

/** An image in the node's temporary storage, with what was measured while it arrived. */
export interface DownloadedImage {
  /** Where it is (a file under /tmp on a router). */
  path: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the bytes stored. */
  sha256: string;
}

export interface SystemUpgrade {
  readonly kind: 'sim' | 'openwrt';
  /**
   * The firmware running now, as the system names it (OpenWrt: `DISTRIB_DESCRIPTION` of
   * `/etc/openwrt_release`). Rejects with FirmwareVersionError when it cannot be read.
   */
  runningVersion(): Promise<string>;
  /**
   * Fetches the image into temporary storage. Rejects with DownloadFailedError (network, HTTP
   * status, timeout) or ImageTooLargeError (size or free space); leaves nothing behind then.
   */
  download(request: ImageRequest): Promise<DownloadedImage>;
  /** Checks the image for this device without installing it; ImageTestFailedError if refused. */
  test(image: DownloadedImage): Promise<void>;
  /**
   * Installs the image keeping the configuration, and reboots into it. Resolves once the
   * install is under way (the process may be ended before that); InstallFailedError otherwise.
   */
  install(image: DownloadedImage): Promise<void>;
  /** Removes a downloaded image; never rejects for one already gone. */
  discard(image: DownloadedImage): Promise<void>;
  /** The journal text kept across the reboot (undefined when there is none). */
  loadJournal(): Promise<string | undefined>;
  /** Replaces the journal durably: once this resolves, a power cut keeps it. */
  saveJournal(text: string): Promise<void>;
  clearJournal(): Promise<void>;
}
