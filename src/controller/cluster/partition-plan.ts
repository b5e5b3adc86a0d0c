/**
 * Which partitions this process should claim or give back, given what every member holds now.
 * The members and their claims are read from PostgreSQL's lock table (advisory locks are the
 * only truth; nothing here votes or elects): a dead process's locks vanish with its connection,
 * so its partitions show up as free and the survivors' shares grow to cover them.
 *
 * Shares are even: with n members and P partitions, the members ranked by id get
 * ⌊P/n⌋ each and the first P mod n one more. A member above its share gives back the excess
 * (a newcomer takes it); a member below it claims free partitions, starting at an offset of its
 * own so two members claiming at once mostly try different ones.
 *
 * @example
 * planClaims({ partitions: 4, me: 7, members: [{ member: 7, owns: [0, 1, 2, 3] }, { member: 9, owns: [] }] });
 * // { share: 2, claim: [], release: [2, 3] }
 */
export interface MemberClaims {
  /** The member's id (the backend pid of its lock connection). */
  member: number;
  owns: readonly number[];
}

export interface ClaimPlan {
  /** How many partitions this member should hold. */
  share: number;
  /** Free partitions to try, in order (another member may win some). */
  claim: number[];
  /** Partitions to give back. */
  release: number[];
}

export interface PlanInput {
  partitions: number;
  me: number;
  /** Every member seen, this one included or not (it is added when missing). */
  members: readonly MemberClaims[];
}

export function planClaims(input: PlanInput): ClaimPlan {
  const { partitions, me } = input;
  const members = input.members.some((m) => m.member === me)
    ? [...input.members]
    : [...input.members, { member: me, owns: [] }];
  members.sort((a, b) => a.member - b.member);
  const rank = members.findIndex((m) => m.member === me);
  const share = fairShare(partitions, members.length, rank);
  const mine = [...new Set(members[rank]!.owns)].sort((a, b) => a - b);
  if (mine.length > share) {
    // Keep the lowest: a stable choice, so repeated plans give back the same ones.
    return { share, claim: [], release: mine.slice(share) };
  }
  const held = new Set(members.flatMap((m) => m.owns));
  const free: number[] = [];
  const start = Math.floor((rank * partitions) / members.length);
  for (let i = 0; i < partitions; i++) {
    const p = (start + i) % partitions;
    if (!held.has(p)) free.push(p);
  }
  return { share, claim: free.slice(0, share - mine.length), release: [] };
}

/** Partitions nobody holds: what a dead member left (or not yet claimed). */
export function orphanedPartitions(partitions: number, members: readonly MemberClaims[]): number[] {
  const held = new Set(members.flatMap((m) => m.owns));
  const orphans: number[] = [];
  for (let p = 0; p < partitions; p++) if (!held.has(p)) orphans.push(p);
  return orphans;
}

export function fairShare(partitions: number, members: number, rank: number): number {
  return Math.floor(partitions / members) + (rank < partitions % members ? 1 : 0);
}
