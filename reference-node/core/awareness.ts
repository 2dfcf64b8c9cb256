// Lifeguard's local health: a node that misses acks it expected doubts itself before it doubts others.
export class Awareness {
  private score = 0;

  /** `max` is awarenessMaxMultiplier: the score stays in [0, max − 1]. `enabled` false is the no-local-health mutant. */
  constructor(
    private readonly max: number,
    private readonly enabled = true,
  ) {}

  get healthScore(): number {
    return this.score;
  }

  applyDelta(delta: number): void {
    if (!this.enabled) return;
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  /** A timeout stretched by the current health: (score + 1) times longer. */
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
