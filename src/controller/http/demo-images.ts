/**
 * The contract between the controller's HTTP API and a simulated demo mesh's firmware images:
 * the example images the demo's nodes can "download", with what an operator needs to start an
 * upgrade campaign with them (URL, SHA-256, version) and what each one does to a node.
 *
 * @example
 * const images: DemoImage[] = await api.get('/api/demo/images');
 * images.find((i) => i.outcome === 'boots')?.url;
 */

export interface DemoImage {
  name: string;
  url: string;
  sha256: string;
  /** The `firmware_version` a node reports once it runs the image. */
  version: string;
  bytes: number;
  /** What the image does on a node: boots into `version`, never boots, or fails `sysupgrade -T`. */
  outcome: 'boots' | 'bricks' | 'fails-test';
  note: string;
}
