// The language checker behind the no-advice nudge. It reads plain English with a few word lists
// and positional rules (what opens a clause, what follows a phrase): no NLP library, no regex that
// can backtrack, no I/O. So the client (as a person types) and the server (tagging the item for the
// facilitator) reach the same verdict in microseconds. It nudges; the person decides, so when a
// sentence is ambiguous it leans towards "open" rather than nag someone asking a real question.

/** "open" passes; "closed" and "advice" get a gentle hint with a rewrite. */
export type Hint = "open" | "closed" | "advice";

/** The checker's verdict on one question or share; `reason` and `suggestion` come with every hint but "open". */
export interface Review {
  hint: Hint;
  /** One plain sentence for the person who wrote the text. */
  reason?: string;
  /** A rewrite of their text that passes as a probing question or an experience share. */
  suggestion?: string;
}

const REASON_ADVICE_QUESTION = "This reads as advice in disguise: it suggests what to do.";
const REASON_YES_NO = "This is a closed question: it can be answered with a yes or a no.";
const REASON_EITHER_OR =
  "This is an either/or question: it offers the answers instead of inviting the presenter's own.";
const REASON_TAG = "This is a tag question: it invites agreement rather than reflection.";
const REASON_ADVICE_SHARE = "This reads as advice rather than your own experience.";
const FALLBACK_ADVICE_QUESTION = "What options do you see from here?";
const FALLBACK_CLOSED_QUESTION = "How are you thinking about this?";
const FALLBACK_EITHER_OR = "What options do you see here?";
const FALLBACK_SHARE = "When I faced something similar, I found…";

// ---------------------------------------------------------------------------------------------
// Word lists. Words are lower case with a straight apostrophe.

const words = (list: string): ReadonlySet<string> => new Set(list.split(" "));

/** Question words: a clause that opens with one asks an open question. */
const WH = words(
  "what what's what'd how how's how'd why why'd who who's whom whose where where's when which",
);
/** "In what ways…", "To what extent…", "For how long…" are still wh-questions. */
const BEFORE_WH = words("in under to for with from at by on about of after since until");
/** Auxiliaries: a clause that opens with one asks a yes/no question. */
const POSITIVE_AUX = words(
  "am is are was were do does did have has had can could will would shall should may might must",
);
const NEGATIVE_AUX = new Map([
  ...[...words("is are was were does did has have had could would should must")].map(
    (aux) => [`${aux}n't`, aux] as const,
  ),
  ["don't", "do"],
  ["can't", "can"],
  ["won't", "will"],
]);
const BE = words("am is are was were");
const HAVE = words("have has had");
const DO = words("do does did");
/** Openers that make the rest of the clause background, so the question is in a later clause. */
const SUBORDINATORS = words(
  "if when whenever once before after until while since as given assuming unless because though although suppose supposing say imagine",
);
/** Open invitations that are not questions: "Tell me more", "Could you walk us through it?". */
const PROMPTS = phrases(
  "tell me|tell us|walk me|walk us|talk me|talk us|describe|explain|help me|help us|say more|share more|give me|give us|elaborate|expand|paint",
);
/** Leading words that carry no meaning for the checker ("So, …", "Just curious, …", "I think …"). */
const FILLERS = phrases(
  "so|ok|okay|and|but|well|also|now|then|alright|all right|anyway|oh|um|uh|hmm|yeah|yes|sure|great|thanks|thank you|please|" +
    "honestly|frankly|personally|actually|basically|i think|i believe|i feel like|i guess|i mean|i'd say|i would say|" +
    "in my opinion|to be honest|if you ask me|curious|just curious|i'm curious|i am curious|out of curiosity|wondering|" +
    "just wondering|i'm wondering|i was wondering|i wonder|quick question|one question|my question is|let me ask|" +
    "let me ask you|can i ask|can i ask you|may i ask|may i ask you|could i ask|i'd like to know|i'd love to know|i'd love to hear",
);
/** A last clause made of one of these, or of an auxiliary and a pronoun, is a tag: "…, right?". */
const TAG_WORDS = words("right correct yes no yeah true ok okay eh huh agreed");
const TAG_SUBJECTS = words("i you we they he she it there that this");
/** Words that can open a question's subject, so "don't"/"never" before them is not an order. */
const SUBJECTS = words(
  "i you we they he she it the your my our their his her this that these those there people everyone anyone someone most all any",
);
const PRONOUNS = words("i you we they he she it");
/** Objects that make "tell", "ask", "give"… an order rather than a prompt ("tell him", not "tell me"). */
const OBJECTS = words("him her them yourself the your a an everyone each both");
/** "Why don't you want to…" asks about the presenter's own mind; it suggests nothing. */
const MENTAL = words(
  "think feel believe want like know trust agree care enjoy see understand remember mind need wish",
);
const THINK = words("think believe suppose expect reckon imagine");
/** Verbs that take a degree: "Do you trust him?" opens up as "How much do you trust him?". */
const DEGREE = words(
  "want like trust care enjoy need value love hate agree worry mind miss regret feel",
);
/** "You could see the relief" tells a story; it tells the presenter nothing to do. */
const PERCEPTION = words("see tell feel hear sense imagine almost really probably");
const JUST_NOT_AN_ORDER = words(
  "curious wondering checking asking thinking like as because so to last this that the a an one after before when then " +
    "recently yesterday now how what why who where which i we my our for about in $",
);
const NEVER_NOT_AN_ORDER = words(
  "have had once did was were in before thought expected imagined again $",
);
/** Irregular past forms; regular ones end in -ed. */
const PAST = words(
  "told said made went gave took put got had did left met quit sat brought bought kept sent paid spoke wrote thought felt " +
    "lost spent built heard found let set ran came knew saw",
);
/** Words that soften an action without changing it: "why don't you just…". */
const SOFTENERS = words(
  "just simply maybe perhaps really actually probably definitely honestly also first please",
);
const TRAILING_SOFTENERS = words("already instead anyway please though");
/** An action phrase that opens with one of these names a thing, not a verb: "How about a trial period?". */
const DETERMINERS = words(
  "a an the some more less fewer another your their his her our my this these those any",
);
/** Not verbs, so an action phrase cannot open with them. */
const FUNCTION_WORDS = words(
  "i me you he him she her it we us they them my your his its our their the a an this that these those some any no not " +
    "and or but if when whether because so than then to of in on at for with about from by as there here " +
    "what how why who where which am is are was were do does did have has had can could will would shall should may might must",
);
const MAIN_VERB_AUX = words("be have do");
const WITNESSED = words("seen heard been");
/** "I would have…", "I'd love to…", "I'd be happy to share…" narrate or offer; they advise nothing. */
const I_WOULD_NARRATES = words("have had been love like already never");
const I_WOULD_BE_GLAD = words("happy glad curious interested keen willing open");
/** "or not", "or so", "or something" leave a yes/no question a yes/no question. */
const NOT_A_CHOICE = words("not so anything something whatever else less more");
const CONJUNCTIONS = words("that if whether");
/** "Did the launch go well?" opens up as "How did the launch go?". */
const VERDICT_WORDS = words("well ok okay fine badly right");
const NOT_A_GERUND = words(
  "thing something anything everything nothing morning evening meeting during bring spring string ceiling wedding",
);
/** A directive phrase right after one of these is a condition or a topic, not advice: "when you need to…". */
const NOT_DIRECTED = words("if when whenever whether what than as unless once");
/** "her" is an object (and becomes "someone") before these; before a noun it is a possessive. */
const AFTER_OBJECT_HER = words(
  "go know a an the that what how about to and first off up out down more some again now today in on at with for back",
);
/** Contractions typed without their apostrophe ("dont") read as written with it. */
const WITHOUT_APOSTROPHE = new Map([
  ...[
    ...words("don doesn didn isn aren wasn weren couldn wouldn shouldn haven hasn hadn can won"),
  ].map((stem) => [`${stem}t`, `${stem}'t`] as const),
  ...[...words("what's how's you're you've i'm i've")].map(
    (word) => [word.replace("'", ""), word] as const,
  ),
  ["cannot", "can't"],
]);

function phrases(list: string): string[][] {
  return list.split("|").map((phrase) => phrase.split(" "));
}

// ---------------------------------------------------------------------------------------------
// Advice openers. Each kind says how to turn what follows into a rewrite.

type Kind =
  | "tried" // "Have you tried X" – the rewrite asks what they tried
  | "considered" // "Have you thought about X" – the rewrite asks what X brings up
  | "act" // "Why don't you X", "You should X" – X is the suggested action
  | "not" // "Don't X" – X is the action to avoid
  | "marker"; // "If I were you" – flags advice; the action, if any, follows

/** Where a phrase counts: at any clause start, anywhere, or only where an order can stand. */
type Place = "start" | "anywhere" | "order";

interface Opener {
  words: readonly string[];
  kind: Kind;
  place: Place;
  /** The match is void when what follows begins with one of these ("$": nothing follows). */
  unless?: ReadonlySet<string>;
  /** What must follow for the phrase to be advice ("tell him", not "tell me"). */
  needs?: (next: readonly Word[]) => boolean;
  /** The phrase is itself the action and stays in the rewrite ("stop micromanaging"). */
  isAction?: boolean;
  /** A modal phrase: inside a wh-question it is part of the probe ("What do you think you should do?"). */
  modal?: boolean;
}

const isGerund = (word: string | undefined): boolean =>
  word !== undefined && word.length > 4 && word.endsWith("ing") && !NOT_A_GERUND.has(word);
const looksPast = (word: string | undefined): boolean =>
  word !== undefined && ((word.endsWith("ed") && !word.endsWith("eed")) || PAST.has(word));
const followedBy = (set: ReadonlySet<string>) => (next: readonly Word[]) =>
  set.has(next[0]?.lower ?? "");

/** "I'd talk to her" advises; "I'd be happy to share…" offers, "I'd already hired…" narrates. */
function isConditionalAdvice(next: readonly Word[]): boolean {
  const [first, second] = next.map((word) => word.lower);
  if (first === undefined || I_WOULD_NARRATES.has(first)) return false;
  if (first === "be") return !I_WOULD_BE_GLAD.has(second ?? "");
  if (first === "just" || first === "only") return !looksPast(second);
  return !looksPast(first);
}

function openers(
  list: string,
  kind: Kind,
  place: Place,
  options: Omit<Opener, "words" | "kind" | "place"> = {},
): Opener[] {
  return phrases(list).map((phraseWords) => ({ words: phraseWords, kind, place, ...options }));
}

const ADVICE: readonly Opener[] = [
  ...openers(
    "have you tried|have you ever tried|did you try|did you ever try|have you thought about trying|have you considered trying|did you think about trying",
    "tried",
    "start",
  ),
  ...openers(
    "have you considered|have you ever considered|have you thought about|have you ever thought about|have you thought of|" +
      "have you looked into|have you explored|did you think about|did you think of|did you consider|did you look into",
    "considered",
    "start",
  ),
  // "You should have seen his face" tells a story; "You should have told him" still directs.
  ...openers("you should", "act", "anywhere", {
    modal: true,
    needs: (next) => !(lowerOf(next[0]) === "have" && WITNESSED.has(lowerOf(next[1]))),
  }),
  ...openers("you ought to|you'd better|you had better", "act", "anywhere", { modal: true }),
  // "You must be exhausted" empathises; "you must talk to her" directs.
  ...openers("you must", "act", "anywhere", { modal: true, unless: words("be have feel know") }),
  ...openers("you shouldn't|you mustn't", "not", "anywhere", { modal: true }),
  ...openers(
    "i suggest|i'd suggest|i would suggest|i recommend|i'd recommend|i would recommend|i advise|i'd advise|my advice is|" +
      "my advice would be|my advice|my suggestion is|my suggestion would be|my suggestion|my recommendation is|my recommendation",
    "act",
    "anywhere",
  ),
  ...openers("why don't you|why do you not", "act", "anywhere", { unless: MENTAL }),
  ...openers(
    "if i were you|if i was you|were i you|if i were in your shoes|in your shoes|in your position|in your place",
    "marker",
    "anywhere",
  ),
  ...openers("why not", "act", "start", { unless: words("$") }),
  ...openers(
    "why not just|why can't you just|why wouldn't you just|why couldn't you just|could you just|can you just|would you just|" +
      "shouldn't you|what if you|what if you just|maybe you could|maybe you should|maybe you can|maybe you need to|perhaps you could|" +
      "perhaps you should|maybe just|maybe try|wouldn't it be better|wouldn't it be easier|wouldn't it be smarter|" +
      "wouldn't it be wiser|wouldn't it be best|wouldn't it be a good idea|wouldn't it make sense|wouldn't it help|would it help|" +
      "would it make sense|would it be better|would it be worth|would it be a good idea|is it worth|isn't it worth|isn't it better|" +
      "isn't it time|wouldn't you rather|you need to|you have to|you might want to|you may want to|you might consider|you might try",
    "act",
    "start",
  ),
  ...openers("couldn't you|can't you|you could|you can", "act", "start", { unless: PERCEPTION }),
  ...openers("what about", "act", "start", { needs: (next) => isGerund(next[0]?.lower) }),
  // "How about you?" hands the floor over; "How about you talk to her?" advises.
  ...openers("how about", "act", "start", {
    needs: (next) => next.length > (lowerOf(next[0]) === "you" ? 1 : 0),
  }),
  ...openers("i'd|i would", "act", "start", { needs: isConditionalAdvice }),
  ...openers("just", "act", "order", { unless: JUST_NOT_AN_ORDER }),
  ...openers("try", "act", "order", { unless: words("as $") }),
  ...openers("consider", "act", "order", { unless: words("this that it $") }),
  ...openers(
    "make sure|be sure to|be sure|remember to|don't forget to|keep in mind",
    "act",
    "order",
  ),
  ...openers("go", "act", "order", { unless: words("on ahead $") }),
  ...openers("don't|do not", "not", "order", { unless: SUBJECTS }),
  ...openers("never", "not", "order", { unless: NEVER_NOT_AN_ORDER }),
  ...openers(
    "stop|avoid|start|be careful|focus on|talk to|talk with|speak to|speak with|sit down|hire|delegate|keep",
    "act",
    "order",
    { isAction: true, unless: words("me us $") },
  ),
  ...openers("let|tell|ask|give|pay|offer|call|fire|promote", "act", "order", {
    isAction: true,
    needs: followedBy(OBJECTS),
  }),
];

/** Openers by first word, longest first, so "why not just" wins over "why not". */
const ADVICE_BY_FIRST_WORD = new Map<string, Opener[]>();
for (const opener of [...ADVICE].sort((a, b) => b.words.length - a.words.length)) {
  const first = opener.words[0] ?? "";
  ADVICE_BY_FIRST_WORD.set(first, [...(ADVICE_BY_FIRST_WORD.get(first) ?? []), opener]);
}

// ---------------------------------------------------------------------------------------------
// Reading text: sentences of clauses of words.

interface Word {
  /** As typed, for the rewrite. */
  text: string;
  /** Lower case, apostrophes straightened and restored ("dont" → "don't"). */
  lower: string;
}
type Clause = Word[];
interface Sentence {
  clauses: Clause[];
  /** Ended with a question mark. */
  asked: boolean;
}

// Letters and digits, joined by single apostrophes or hyphens: linear, it cannot backtrack.
const WORD = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu;
const CURLY_APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4]/g;
const SENTENCE_ENDS = new Set([".", "?", "!", "\n", "…"]);
const CLAUSE_ENDS = new Set([",", ";", ":", "(", ")", "\u2014", "\u2013"]);

function parse(text: string): Sentence[] {
  const flat = text.replace(CURLY_APOSTROPHES, "'");
  const sentences: Sentence[] = [];
  let clauses: Clause[] = [];
  let from = 0;
  const endClause = (at: number) => {
    const clause = toWords(flat.slice(from, at));
    if (clause.length > 0) clauses.push(clause);
    from = at + 1;
  };
  for (let at = 0; at < flat.length; at++) {
    const char = flat.charAt(at);
    if (SENTENCE_ENDS.has(char)) {
      endClause(at);
      if (clauses.length > 0) sentences.push({ clauses, asked: char === "?" });
      clauses = [];
    } else if (CLAUSE_ENDS.has(char) || (char === "-" && flat.charAt(at - 1) === " ")) {
      endClause(at);
    }
  }
  endClause(flat.length);
  if (clauses.length > 0) sentences.push({ clauses, asked: false });
  return sentences;
}

function toWords(chunk: string): Word[] {
  return Array.from(chunk.matchAll(WORD), ([text]) => {
    const lower = text.toLowerCase();
    return { text, lower: WITHOUT_APOSTROPHE.get(lower) ?? lower };
  });
}

function startsWith(clause: readonly Word[], at: number, phrase: readonly string[]): boolean {
  return phrase.every((word, i) => clause[at + i]?.lower === word);
}

function withoutFillers(clause: Clause): Clause {
  let at = 0;
  for (let found = true; found;) {
    const filler = FILLERS.find((phrase) => startsWith(clause, at, phrase));
    // "Just how bad is it?": "just" before a question word is emphasis, not an order.
    const emphasis = clause[at]?.lower === "just" && WH.has(clause[at + 1]?.lower ?? "");
    found = filler !== undefined || emphasis;
    at += filler?.length ?? (emphasis ? 1 : 0);
  }
  return clause.slice(at);
}

function clean(clauses: readonly Clause[]): Clause[] {
  return clauses.map(withoutFillers).filter((clause) => clause.length > 0);
}

const lowerOf = (word: Word | undefined): string => word?.lower ?? "";
const positiveAux = (word: string): string => NEGATIVE_AUX.get(word) ?? word;
const isAux = (word: string): boolean => POSITIVE_AUX.has(positiveAux(word));

/** "When he yells, …" is background; "When did it start?" is a question. */
function isSubordinate(clause: readonly Word[]): boolean {
  const first = lowerOf(clause[0]);
  return SUBORDINATORS.has(first) && !(WH.has(first) && isAux(lowerOf(clause[1])));
}

// ---------------------------------------------------------------------------------------------
// Finding advice.

interface AdviceMatch {
  opener: Opener;
  /** The words after the phrase (or from it, for an action) to the end of its clause. */
  tail: Word[];
  clause: number;
}

function matches(clause: readonly Word[], at: number, opener: Opener): boolean {
  if (!startsWith(clause, at, opener.words)) return false;
  const next = clause.slice(at + opener.words.length);
  if (opener.needs && !opener.needs(next)) return false;
  if (!opener.unless) return true;
  return !opener.unless.has(next.length === 0 ? "$" : lowerOf(next[0]));
}

function findAdvice(clauses: readonly Clause[], inWhQuestion: boolean): AdviceMatch[] {
  const found: AdviceMatch[] = [];
  clauses.forEach((clause, index) => {
    const previous = clauses[index - 1];
    // An order opens a sentence or follows a condition ("When he yells, just leave").
    const orderFits = previous === undefined || isSubordinate(previous);
    let clauseStart = 0;
    for (let at = 0; at < clause.length; at++) {
      const atStart = at === clauseStart;
      const opener = ADVICE_BY_FIRST_WORD.get(lowerOf(clause[at]))?.find(
        (candidate) =>
          (atStart || candidate.place === "anywhere") &&
          (candidate.place !== "order" || (orderFits && at === 0) || (atStart && at > 0)) &&
          !(at > 0 && NOT_DIRECTED.has(lowerOf(clause[at - 1]))) &&
          !(candidate.modal && inWhQuestion && at > 0) &&
          matches(clause, at, candidate),
      );
      if (!opener) continue;
      const after = at + opener.words.length;
      found.push({ opener, tail: clause.slice(opener.isAction ? at : after), clause: index });
      // "In your shoes I'd talk to her": what follows a marker starts afresh.
      if (opener.kind === "marker") clauseStart = after;
      at = after - 1;
    }
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Question form.

type Form = "open" | "closed" | "embedded";
type ClosedForm = "yes-no" | "either-or" | "tag";

function formOf(clause: readonly Word[]): Form | undefined {
  const [first = "", second = "", third = ""] = clause.map((word) => word.lower);
  if (WH.has(first) || (BEFORE_WH.has(first) && WH.has(second))) return "open";
  if (PROMPTS.some((prompt) => startsWith(clause, 0, prompt))) return "open";
  if (isAux(first)) {
    // "Could you say more about that?" is a polite prompt, not a yes/no question.
    const promptAt = third === "please" ? 3 : 2;
    const polite =
      second === "you" && PROMPTS.some((prompt) => startsWith(clause, promptAt, prompt));
    return polite ? "open" : "closed";
  }
  if (first === "whether") return "embedded";
  if (first === "if") {
    // "If you did nothing what would happen?" without its comma.
    const question = clause.findIndex(
      (word, i) => i > 1 && WH.has(word.lower) && isAux(lowerOf(clause[i + 1])),
    );
    return question > 0 ? "open" : "embedded";
  }
  return undefined;
}

/** The clause that carries the question: the first with a form, unless it is background. */
function findMain(clauses: readonly Clause[]): { index: number; form: Form } | undefined {
  let main: { index: number; form: Form } | undefined;
  for (const [index, clause] of clauses.entries()) {
    const form = formOf(clause);
    if (!form) continue;
    if (!main) {
      main = { index, form };
      if (!isSubordinate(clause)) break;
    } else {
      if (form !== "embedded") main = { index, form };
      break;
    }
  }
  return main;
}

function isTagQuestion(clauses: readonly Clause[]): boolean {
  const tag = clauses.at(-1)?.map((word) => word.lower) ?? [];
  if (clauses.length < 2) return false;
  const [first = "", second = "", third] = tag;
  if (tag.length === 1) return TAG_WORDS.has(first);
  if (!isAux(first) || !TAG_SUBJECTS.has(second)) return false;
  return (
    tag.length === 2 ||
    (tag.length === 3 && (third === "not" || (third === "think" && NEGATIVE_AUX.has(first))))
  );
}

/** "Is it the money or the title?" – but not "or not", "or so", "or something". */
function offersChoice(clauses: readonly Clause[]): boolean {
  return clauses.some((clause) =>
    clause.some(
      (word, i) =>
        word.lower === "or" && i + 1 < clause.length && !NOT_A_CHOICE.has(lowerOf(clause[i + 1])),
    ),
  );
}

type Verdict =
  | { hint: "open" }
  | { hint: "advice"; clauses: Clause[]; found: AdviceMatch[] }
  | { hint: "closed"; form: ClosedForm; clauses: Clause[]; main: number | undefined };

function questionVerdict(text: string): Verdict {
  let closed: Verdict | undefined;
  let open = false;
  for (const sentence of parse(text)) {
    const tag = isTagQuestion(sentence.clauses);
    const clauses = clean(tag ? sentence.clauses.slice(0, -1) : sentence.clauses);
    const main = findMain(clauses);
    const found = findAdvice(clauses, main?.form === "open");
    if (found.length > 0) return { hint: "advice", clauses, found };
    if (main?.form === "open" && !tag) {
      open = true;
    } else if (tag || main || (sentence.asked && clauses.flat().length >= 2)) {
      const rest = clauses.slice(main?.index ?? 0);
      const form: ClosedForm = tag ? "tag" : offersChoice(rest) ? "either-or" : "yes-no";
      closed ??= { hint: "closed", form, clauses, main: main?.index };
    }
  }
  // One open question among several is enough: a follow-up "Was it hard?" does not undo it.
  return open || !closed ? { hint: "open" } : closed;
}

function shareVerdict(text: string): Verdict {
  for (const sentence of parse(text)) {
    const clauses = clean(sentence.clauses);
    const found = findAdvice(clauses, false);
    if (found.length > 0) return { hint: "advice", clauses, found };
  }
  return { hint: "open" };
}

// ---------------------------------------------------------------------------------------------
// Rewrites.

/** Joins words as typed; a leading function word or verb loses its sentence-start capital. */
function say(words: readonly Word[], isVerb = false): string {
  return words
    .map((word, i) => {
      // "It's" is "it" plus a verb: judged by the part before the apostrophe.
      const functional = FUNCTION_WORDS.has(word.lower.split("'")[0] ?? "");
      const lower = i === 0 && (isVerb || functional) && !/^I\b/.test(word.text);
      return lower ? word.text.toLowerCase() : word.text;
    })
    .join(" ");
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

type Action = { shape: "verb" | "past" | "thing"; words: Word[] };

/** The action in what follows an advice phrase: "just fire him", "you talk to her", "to wait", "a trial". */
function actionIn(tail: readonly Word[]): Action | undefined {
  let at = 0;
  const skipSofteners = () => {
    while (SOFTENERS.has(lowerOf(tail[at]))) at++;
  };
  skipSofteners();
  if (lowerOf(tail[at]) === "that" && lowerOf(tail[at + 1]) === "you") at++;
  let mustBeVerb = false;
  if (lowerOf(tail[at]) === "you") {
    at++;
    if (isAux(lowerOf(tail[at]))) at++;
    mustBeVerb = true;
  } else if (lowerOf(tail[at]) === "to") {
    at++;
    mustBeVerb = true;
  }
  skipSofteners();
  let end = tail.length;
  while (end > at && TRAILING_SOFTENERS.has(lowerOf(tail[end - 1]))) end--;
  const action = tail.slice(at, end);
  const first = lowerOf(action[0]);
  // "You should have told him" is hindsight: no action is left to retell or ask about.
  if (!first || (first === "have" && looksPast(lowerOf(action[1])))) return undefined;
  if (!mustBeVerb && (isGerund(first) || DETERMINERS.has(first)))
    return { shape: "thing", words: action };
  // "be", "have" and "do" are auxiliaries but also the main verb of many actions ("have the talk").
  if ((FUNCTION_WORDS.has(first) && !MAIN_VERB_AUX.has(first)) || isGerund(first)) return undefined;
  return { shape: looksPast(first) ? "past" : "verb", words: action };
}

/** The probing question a piece of advice hides. */
function askInstead(match: AdviceMatch): string | undefined {
  const { kind } = match.opener;
  if (kind === "tried") return "What have you tried so far?";
  if (kind === "considered") {
    const topic = match.tail.map((word, i) =>
      i === 0 && word.lower === "that" ? { ...word, text: "whether" } : word,
    );
    return topic.length > 0 ? `What comes up when you think about ${say(topic)}?` : undefined;
  }
  if (kind === "marker") return undefined;
  const action = actionIn(match.tail);
  if (!action) return undefined;
  const [first, ...rest] = action.words;
  if (kind === "not") {
    if (action.shape !== "verb") return undefined;
    // "Don't be hard on yourself" → "…if you weren't hard on yourself?"
    return lowerOf(first) === "be"
      ? `What might happen if you weren't ${say(rest)}?`
      : `What might happen if you didn't ${say(action.words, true)}?`;
  }
  if (action.shape === "thing") return `How might ${say(action.words)} go?`;
  if (action.shape === "past") return `What might happen if you ${say(action.words, true)}?`;
  return `What might happen if you were to ${say(action.words, true)}?`;
}

/** The open question a closed one could have been. */
function openUp(clause: readonly Word[], form: ClosedForm, isMain: boolean): string | undefined {
  const [first, second, third] = clause.map((word) => word.lower);
  if (first === undefined || second === undefined) return undefined;
  if (!isMain) {
    // A statement asked for agreement: "You want to keep him, right?"
    return form !== "either-or" && clause.length >= 3
      ? `How sure are you that ${say(clause)}?`
      : undefined;
  }
  // "What do you want, right?" was open until its tag.
  if (formOf(clause) === "open") return `${say(clause)}?`;
  if (!isAux(first) || second === "there") return undefined;
  const aux = positiveAux(first);
  // "Are you staying or not?": the "or not" has no place in an open question.
  const rest = clause.slice(
    1,
    lowerOf(clause.at(-2)) === "or" && lowerOf(clause.at(-1)) === "not" ? -2 : undefined,
  );
  if (BE.has(aux)) return `In what ways ${aux} ${say(rest)}?`;
  if (HAVE.has(aux)) {
    const ever = rest.filter((word) => word.lower !== "ever");
    if (ever.length < rest.length || lowerOf(rest.at(-1)) === "before") {
      const withoutBefore = lowerOf(ever.at(-1)) === "before" ? ever.slice(0, -1) : ever;
      return `When ${aux} ${say(withoutBefore)} before?`;
    }
    // "Have you talked to him?" → "What happened when you talked to him?"
    if (second === "you" && looksPast(third)) return `What happened when ${say(rest)}?`;
    return `In what ways ${aux} ${say(rest)}?`;
  }
  if (DO.has(aux)) {
    if (second === "you" && THINK.has(third ?? "")) {
      const thought = rest.slice(2).filter((word, i) => !(i === 0 && CONJUNCTIONS.has(word.lower)));
      if (thought.length < 2) return undefined;
      return WH.has(lowerOf(thought[0]))
        ? `What's your sense of ${say(thought)}?`
        : `What's your sense of whether ${say(thought)}?`;
    }
    if (third === "have") return undefined;
    if (aux !== "did" && PRONOUNS.has(second) && DEGREE.has(third ?? ""))
      return `How much ${aux} ${say(rest)}?`;
    const done =
      rest.length > 2 && VERDICT_WORDS.has(lowerOf(rest.at(-1))) ? rest.slice(0, -1) : rest;
    return `How ${aux} ${say(done)}?`;
  }
  return `Under what circumstances ${aux} ${say(rest)}?`;
}

/** Background clauses ("When he yells, …") are kept in front of a rewrite; anything else is dropped. */
function withBackground(clauses: readonly Clause[], upTo: number, question: string): string {
  const background = clauses.slice(0, upTo);
  if (background.length === 0 || !background.every(isSubordinate)) return capitalized(question);
  return capitalized(
    `${background.map((clause) => say(clause)).join(", ")}, ${question.charAt(0).toLowerCase()}${question.slice(1)}`,
  );
}

function questionSuggestion(verdict: Exclude<Verdict, { hint: "open" }>): string {
  const candidates: (string | undefined)[] = [];
  if (verdict.hint === "advice") {
    for (const match of verdict.found) {
      const question = askInstead(match);
      candidates.push(question && withBackground(verdict.clauses, match.clause, question));
    }
  } else {
    const index = verdict.main ?? 0;
    const [clause = [], ...more] = verdict.clauses.slice(index);
    const question = openUp(clause, verdict.form, verdict.main !== undefined);
    const continued =
      question && more.length > 0
        ? `${question.slice(0, -1)}, ${more.map((c) => say(c)).join(", ")}?`
        : question;
    candidates.push(continued && withBackground(verdict.clauses, index, continued));
  }
  // A rewrite that would itself earn a hint is no rewrite.
  const fitting = candidates.find(
    (candidate) => candidate && questionVerdict(candidate).hint === "open",
  );
  if (fitting) return fitting;
  if (verdict.hint === "advice") return FALLBACK_ADVICE_QUESTION;
  return verdict.form === "either-or" ? FALLBACK_EITHER_OR : FALLBACK_CLOSED_QUESTION;
}

const FIRST_PERSON = new Map([
  ["your", "my"],
  ["yours", "mine"],
  ["yourself", "myself"],
  ["him", "someone"],
  ["you're", "I'm"],
  ["you've", "I've"],
  ["you'll", "I'll"],
]);

/** Retells an action in the first person: "give him your notes" → "give someone my notes". */
function firstPerson(action: readonly Word[]): string | undefined {
  const told: string[] = [];
  for (const [i, word] of action.entries()) {
    const next = lowerOf(action[i + 1]);
    let swapped = FIRST_PERSON.get(word.lower) ?? (i === 0 ? word.text.toLowerCase() : word.text);
    if (word.lower === "her" && (next === "" || AFTER_OBJECT_HER.has(next))) swapped = "someone";
    if (word.lower === "you") {
      // "a raise you can't give" → "a raise I can't give"; "tell you…" has no first-person retelling.
      if (!isAux(next) && !SUBORDINATORS.has(lowerOf(action[i - 1]))) return undefined;
      swapped = "I";
    }
    told.push(swapped);
  }
  return told.join(" ");
}

/** The experience share a piece of advice could have been. */
function tellInstead(match: AdviceMatch): string | undefined {
  if (match.opener.kind === "marker") return undefined;
  const action = actionIn(match.tail);
  const told = action && firstPerson(action.words);
  if (!action || !told) return undefined;
  const situation = "in a similar situation, I found…";
  if (match.opener.kind === "not")
    return action.shape === "verb" ? `When I decided not to ${told} ${situation}` : undefined;
  if (action.shape === "thing") return `When I tried ${told} ${situation}`;
  if (action.shape === "past") return `When I ${told} ${situation}`;
  return `When I decided to ${told} ${situation}`;
}

// ---------------------------------------------------------------------------------------------
// The API.

/** Reviews a probing question: open-ended, closed (yes/no, either/or, tag question), or advice in disguise. */
export function reviewQuestion(text: string): Review {
  const verdict = questionVerdict(text);
  if (verdict.hint === "open") return { hint: "open" };
  const suggestion = questionSuggestion(verdict);
  if (verdict.hint === "advice")
    return { hint: "advice", reason: REASON_ADVICE_QUESTION, suggestion };
  const reasons = {
    "yes-no": REASON_YES_NO,
    "either-or": REASON_EITHER_OR,
    tag: REASON_TAG,
  } as const;
  return { hint: "closed", reason: reasons[verdict.form], suggestion };
}

/** Reviews an experience share: "advice" when it tells the presenter what to do instead of telling one's own experience; otherwise "open". */
export function reviewShare(text: string): Review {
  const verdict = shareVerdict(text);
  if (verdict.hint !== "advice") return { hint: "open" };
  const suggestion =
    verdict.found.map(tellInstead).find((share) => share && shareVerdict(share).hint === "open") ??
    FALLBACK_SHARE;
  return { hint: "advice", reason: REASON_ADVICE_SHARE, suggestion };
}
