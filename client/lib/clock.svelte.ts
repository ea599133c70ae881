import { createSubscriber } from "svelte/reactivity";

/**
 * The current time, as reactive state that ticks while something reads it (timers, away-since,
 * airtime). One instance serves a page; nothing ticks when nobody is looking.
 */
export class Clock {
  #now = Date.now();
  #subscribe: () => void;

  /** `intervalMs`: how often readers see a new time. */
  constructor(intervalMs = 500) {
    this.#subscribe = createSubscriber((update) => {
      this.#now = Date.now();
      const timer = setInterval(() => {
        this.#now = Date.now();
        update();
      }, intervalMs);
      return () => clearInterval(timer);
    });
  }

  /** Epoch milliseconds, refreshed every interval while read inside an effect or template. */
  get now(): number {
    this.#subscribe();
    return this.#now;
  }
}
