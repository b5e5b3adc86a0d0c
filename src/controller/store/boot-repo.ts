/**
 * Each node's current boot as the controller last heard of it: the boot id of its online
 * announcement and the uptime of its last state. The node timeline compares the next ones with
 * these to tell a reboot from a reconnect.
 */
import type { Db } from './database.ts';

export interface NodeBoot {
  boot_id: string | null;
  uptime_s: number | null;
  at: number;
}

export class BootRepo {
  private readonly getStmt;
  private readonly setBootIdStmt;
  private readonly setUptimeStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], NodeBoot>(
      'SELECT boot_id, uptime_s, at FROM node_boots WHERE node = ?',
    );
    this.setBootIdStmt = db.prepare(`
      INSERT INTO node_boots (node, boot_id, uptime_s, at) VALUES (@node, @boot_id, NULL, @at)
      ON CONFLICT(node) DO UPDATE SET boot_id = @boot_id, at = @at`);
    this.setUptimeStmt = db.prepare(`
      INSERT INTO node_boots (node, boot_id, uptime_s, at) VALUES (@node, NULL, @uptime_s, @at)
      ON CONFLICT(node) DO UPDATE SET uptime_s = @uptime_s, at = @at`);
  }

  get(node: string): NodeBoot | undefined {
    return this.getStmt.get(node);
  }

  setBootId(node: string, bootId: string, at: number): void {
    this.setBootIdStmt.run({ node, boot_id: bootId, at });
  }

  setUptime(node: string, uptimeS: number, at: number): void {
    this.setUptimeStmt.run({ node, uptime_s: uptimeS, at });
  }
}
