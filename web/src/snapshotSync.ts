// Lists kept from two sources: REST snapshots (the queue, my conversations) and live session
// events. A snapshot answers for the moment the server read it, which may be before events that
// reached this tab while the answer was on its way: a call rung, answered and hung up while a
// snapshot travelled would come back as "ringing" and stay there. So the facts that come while a
// snapshot travels are applied over it when it lands, and an older snapshot that lands after a
// newer one is dropped.

/** One snapshot on its way: what it was asked for after. */
export interface SnapshotTicket {
  readonly load: number;
  readonly seenFacts: number;
}

export class SnapshotSync<Fact> {
  private issued = 0;
  private newestLanded = 0;
  private inFlight = 0;
  private factCount = 0;
  /** The facts that came while a snapshot was on its way, in the order they came. */
  private facts: { n: number; fact: Fact }[] = [];

  /** A snapshot is asked for. */
  begin(): SnapshotTicket {
    this.issued += 1;
    this.inFlight += 1;
    return { load: this.issued, seenFacts: this.factCount };
  }

  /** A fact came (a live event, or an action's answer). */
  noteFact(fact: Fact): void {
    this.factCount += 1;
    if (this.inFlight > 0) this.facts.push({ n: this.factCount, fact });
  }

  /**
   * The snapshot landed: the facts to apply over it, oldest first; null when a newer snapshot has
   * landed already (this one is to be dropped).
   */
  land(ticket: SnapshotTicket): Fact[] | null {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const since = this.facts.filter((f) => f.n > ticket.seenFacts).map((f) => f.fact);
    if (this.inFlight === 0) this.facts = [];
    if (ticket.load < this.newestLanded) return null;
    this.newestLanded = ticket.load;
    return since;
  }

  /** The snapshot failed. */
  fail(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.facts = [];
  }
}
