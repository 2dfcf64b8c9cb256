// The φ accrual failure detector (Hayashibara, Défago, Yared, Katayama, 2004), as Akka implements it:
// a window of heartbeat inter-arrival times per member, a normal distribution fitted to it, and φ, the
// -log10 of the probability that a heartbeat arrives later than now does. φ = 1 means a 10 % chance
// that the silence is only a delay; φ = 8, one in a hundred million.
//
// Pure arithmetic and one small window class, so that conformance can compare φ with a reference table.

/** What shapes φ beyond the arrivals themselves (Akka's failure-detector settings). */
export interface PhiSettings {
  /** Arrivals kept: the window slides over the last this many intervals. */
  maxSampleSize: number;
  /** A floor under the fitted deviation: perfectly regular heartbeats would otherwise make φ leap on the first late one. */
  minStdDeviationMs: number;
  /** Added to the mean: a pause this long (a GC, a lost heartbeat) costs no φ. */
  acceptablePauseMs: number;
  /** The interval assumed before any has been measured; the window starts at this mean with a quarter of it as deviation. */
  firstHeartbeatEstimateMs: number;
}

import { phi, phiCrossingMs } from "../../specs/protocol/phi.js";

export { phi };

/**
 * The last `maxSampleSize` inter-arrival times, with running sums for their mean and variance. A ring:
 * a node adds to one window per member per heartbeat, and shifting a full array of a thousand
 * intervals each time was a simulation's largest cost at scale.
 */
export class IntervalWindow {
  private readonly ring: number[] = [];
  /** Where the oldest interval sits once the ring is full. */
  private oldest = 0;
  private sum = 0;
  private squaredSum = 0;

  constructor(private readonly maxSampleSize: number) {}

  add(intervalMs: number): void {
    this.sum += intervalMs;
    this.squaredSum += intervalMs * intervalMs;
    if (this.ring.length < this.maxSampleSize) {
      this.ring.push(intervalMs);
      return;
    }
    const dropped = this.ring[this.oldest]!;
    this.sum -= dropped;
    this.squaredSum -= dropped * dropped;
    this.ring[this.oldest] = intervalMs;
    this.oldest = (this.oldest + 1) % this.maxSampleSize;
  }

  /** The intervals kept, oldest first. */
  values(): readonly number[] {
    return [...this.ring.slice(this.oldest), ...this.ring.slice(0, this.oldest)];
  }

  get size(): number {
    return this.ring.length;
  }

  get mean(): number {
    return this.sum / this.ring.length;
  }

  /** Population variance, as Akka computes it. */
  get variance(): number {
    return this.squaredSum / this.ring.length - this.mean * this.mean;
  }

  get stdDeviation(): number {
    return Math.sqrt(Math.max(0, this.variance));
  }
}

/** Heartbeat arrivals from one member, and φ of its silence since the last. */
export class ArrivalWindow {
  readonly intervals: IntervalWindow;
  private last: number;

  /** A window opened by the first heartbeat, at `now`: seeded as Akka seeds it, at the first estimate ± a quarter. */
  constructor(
    private readonly settings: PhiSettings,
    now: number,
  ) {
    this.intervals = new IntervalWindow(settings.maxSampleSize);
    const mean = settings.firstHeartbeatEstimateMs;
    const deviation = mean / 4;
    this.intervals.add(mean - deviation);
    this.intervals.add(mean + deviation);
    this.last = now;
  }

  get lastArrivalAt(): number {
    return this.last;
  }

  /**
   * A heartbeat arrived at `now`. Its interval joins the window only if the member was still
   * available (φ below `availableBelow`): as in Akka, a silence long enough to convict is an
   * outage, not a sample of the network's rhythm, and would teach the detector to wait longer.
   */
  arrive(now: number, availableBelow: number): void {
    if (this.phiAt(now) < availableBelow) this.intervals.add(now - this.last);
    this.last = now;
  }

  /** The mean and deviation φ uses: the window's, the pause added to the mean, the deviation floored. */
  fitted(): { meanMs: number; stdDeviationMs: number } {
    return {
      meanMs: this.intervals.mean + this.settings.acceptablePauseMs,
      stdDeviationMs: Math.max(this.intervals.stdDeviation, this.settings.minStdDeviationMs),
    };
  }

  phiAt(now: number): number {
    const { meanMs, stdDeviationMs } = this.fitted();
    return phi(now - this.last, meanMs, stdDeviationMs);
  }

  /**
   * The first whole millisecond at which φ reaches `threshold` if no heartbeat comes: φ only grows
   * with silence, so a bisection finds it. The core sets its timer there rather than polling φ.
   */
  crossingAt(threshold: number): number {
    const { meanMs, stdDeviationMs } = this.fitted();
    return this.last + phiCrossingMs(threshold, meanMs, stdDeviationMs);
  }
}
