import { NAME_MAX } from "./limits.ts";

// Characters that change how text around them is shown without being seen themselves: controls,
// bidirectional overrides, embeddings and isolates, and zero-width characters. A name holding one
// could pass for another member's, or turn the text after it around.
const hidden =
  /[\p{Cc}\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0]/u;
const visible = /[\p{L}\p{N}]/u;

/**
 * Why a display name cannot be used, in a sentence for the person typing it; undefined when it
 * can. The name is judged as it will be shown: trimmed.
 */
export function nameProblem(raw: string): string | undefined {
  const name = raw.trim();
  if (name.length === 0) return "Type your name.";
  if ([...name].length > NAME_MAX) return `Your name can be at most ${NAME_MAX} characters.`;
  if (hidden.test(name)) return "Your name holds invisible or control characters. Type it plainly.";
  if (!visible.test(name)) return "Your name needs at least one letter or digit.";
  return undefined;
}

/** Two names clash when they read the same regardless of case (and of Unicode's forms). */
export function sameName(a: string, b: string): boolean {
  const fold = (s: string) => s.trim().normalize("NFKC").toLocaleLowerCase("und");
  return fold(a) === fold(b);
}
