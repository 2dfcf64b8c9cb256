// Named deadlines on the core's clock: the core owns no timer, it tells the shell when to wake it next.
export class Deadlines<Name extends string = string> {
  private readonly at = new Map<Name, number>();
  /** When the deadline takeNextDue last returned was due: `now` minus this is how late it is being handled. */
  lastDueAt = 0;

  set(name: Name, time: number): void {
    this.at.set(name, time);
  }

  clear(name: Name): void {
    this.at.delete(name);
  }

  get(name: Name): number | undefined {
    return this.at.get(name);
  }

  /** The earliest deadline, or undefined when none is set. */
  earliest(): number | undefined {
    let min: number | undefined;
    for (const t of this.at.values()) if (min === undefined || t < min) min = t;
    return min;
  }

  /**
   * Removes and returns the earliest deadline due at `now`, or undefined. One at a time,
   * because handling one deadline may set or clear others.
   */
  takeNextDue(now: number): Name | undefined {
    let next: Name | undefined;
    let nextAt = Infinity;
    for (const [name, t] of this.at) {
      if (t <= now && t < nextAt) {
        next = name;
        nextAt = t;
      }
    }
    if (next !== undefined) {
      this.at.delete(next);
      this.lastDueAt = nextAt;
    }
    return next;
  }
}
