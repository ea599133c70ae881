/** A brief message for everyone on this page: a refusal from the server, a copy confirmation. */
export interface Notice {
  id: number;
  text: string;
}

/**
 * Short-lived messages shown in an assertive live region, and polite announcements (phase
 * changes, "You have the floor", timer warnings) read by screen readers.
 */
export class Notices {
  #items = $state<Notice[]>([]);
  #announcement = $state("");
  #seq = 0;
  #lifetimeMs: number;

  /** `lifetimeMs`: how long a notice stays on screen. */
  constructor(lifetimeMs = 6000) {
    this.#lifetimeMs = lifetimeMs;
  }

  get items(): Notice[] {
    return this.#items;
  }

  /** The latest polite announcement. */
  get announcement(): string {
    return this.#announcement;
  }

  show(text: string): void {
    const id = ++this.#seq;
    this.#items = [...this.#items.filter((n) => n.text !== text), { id, text }].slice(-3);
    setTimeout(() => this.dismiss(id), this.#lifetimeMs);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((n) => n.id !== id);
  }

  /** Says something to screen readers; the same words twice in a row are read twice. */
  announce(text: string): void {
    this.#announcement = this.#announcement === text ? `${text}\u00a0` : text;
  }
}
