import { describe, it, expect } from "vitest";
import { reviewQuestion, reviewShare, type Hint } from "../../shared/language.ts";

// Probing questions as peers type them during a round. Where a sentence is ambiguous, the comment
// says what we decided and why; the rule of thumb is that a nudge which nags real probing
// questions stops being read, so the checker leans to "open" when a question probes the
// presenter's own thinking, and hints only when it proposes an action or boxes in the answer.
const questions: [text: string, hint: Hint][] = [
  // Open: the questions the protocol wants.
  ["How have you handled this before?", "open"],
  ["What would a good outcome look like?", "open"],
  ["Why do you think they feel this way?", "open"],
  ["How would other developers on the team feel about their performance or comp?", "open"],
  ["How have you handled this in the past?", "open"],
  ["What have you tried?", "open"],
  ["How would you know it worked?", "open"],
  ["Who else is affected?", "open"],
  ["What matters most to you here", "open"],
  ["Where does the pressure come from?", "open"],
  ["When did it start?", "open"],
  ["Which part of this keeps you up at night?", "open"],
  ["To what extent does the team trust you?", "open"],
  ["How long has this been going on?", "open"],
  ["Tell me more about the team.", "open"],
  ["Could you say more about that?", "open"],
  ["Walk us through the numbers?", "open"],
  ["If you did nothing, what would happen?", "open"],
  ["When he pushes back, how do you respond?", "open"],
  ["Ana, how did it go?", "open"],
  ["Why not?", "open"],
  ["What about the team?", "open"],
  ["What do you need to decide by Friday?", "open"],
  // Mentions firing, but asks about the presenter's own obstacles: what holds them back is
  // theirs to name, and the question proposes nothing the presenter has not raised. Open.
  ["What's stopping you from firing him?", "open"],
  // A probe into the cost of the status quo; "if you" sits inside a wh-question about
  // consequences, unlike "What if you…", which proposes the action. Open.
  ["What would happen if you did nothing?", "open"],
  // "What if" about a scenario rather than an action of the presenter probes. Open.
  ["What if the board says no?", "open"],
  // The modal belongs to the presenter's own judgement, which is what a probe asks about. Open.
  ["What do you think you should do?", "open"],
  // "Why don't you…" with a verb of the mind asks about their reluctance, not for an action. Open.
  ["Why don't you want to fire him?", "open"],
  ["Why don't they trust you?", "open"],
  // One open question is enough; a closed follow-up does not undo it. Open.
  ["Was it hard? How did you cope?", "open"],

  // Closed: yes/no questions opening with an auxiliary.
  ["Is the team unhappy?", "closed"],
  ["Are you going to fire him?", "closed"],
  ["Was it a surprise?", "closed"],
  ["Were you angry when he said that?", "closed"],
  ["Does he know how you feel?", "closed"],
  ["Did the launch go well?", "closed"],
  ["Can you afford to lose him?", "closed"],
  ["Will the board support it?", "closed"],
  ["Has this happened before?", "closed"],
  ["Have you talked to him?", "closed"],
  ["Had you seen it coming?", "closed"],
  ["May I ask if you've told your co-founder?", "closed"],
  ["Might it be about money?", "closed"],
  ["Do you trust him?", "closed"],
  // Asks for an opinion, but in yes/no form: the answer can be "yes". Closed.
  ["Do you think the team would notice?", "closed"],
  // "Should you…" deliberates rather than prescribes; only "Shouldn't you…" pushes. Closed.
  ["Should you be worried?", "closed"],
  // Asks about a capability, with no "just": yes/no, not advice. Closed.
  ["Could you delegate it?", "closed"],
  ["I wonder if you've talked to him", "closed"],
  ["You're worried they'll leave?", "closed"],
  // Either/or: the options are handed to the presenter.
  ["Would you or your co-founder own this?", "closed"],
  ["Is it the money or the title?", "closed"],
  ["Do you want to stay or sell?", "closed"],
  ["Money or recognition?", "closed"],
  // Tag questions: they ask for agreement.
  ["You want to keep him, right?", "closed"],
  ["It's about the money, isn't it?", "closed"],
  ["You like him, don't you?", "closed"],
  ["You've already decided, haven't you?", "closed"],
  // An open question turned into a request for agreement by its tag. Closed.
  ["What do you want, right?", "closed"],

  // Advice in disguise: every pattern the brief names.
  ["Have you tried just talking to them?", "advice"],
  ["Have you considered hiring a COO?", "advice"],
  ["Why don't you just fire him?", "advice"],
  ["Why not ask her directly?", "advice"],
  ["What if you gave her the lead?", "advice"],
  ["What if you just ignored it for a month?", "advice"],
  ["How about a trial period?", "advice"],
  ["How about you talk to her first?", "advice"],
  ["Shouldn't you talk to HR first?", "advice"],
  ["Wouldn't it be better to wait?", "advice"],
  ["Could you just tell him no?", "advice"],
  ["Did you think about what you want?", "advice"],
  ["You should fire him?", "advice"],
  ["You need to set clear expectations?", "advice"],
  ["You ought to give her a raise?", "advice"],
  ["You must tell the board?", "advice"],
  ["Maybe you could delegate it?", "advice"],
  ["Have you thought about splitting the role?", "advice"],
  ["Try talking to her first?", "advice"],
  ["Just tell him how you feel?", "advice"],
  ["What about hiring a contractor?", "advice"],
  ["Would it help to write it down?", "advice"],
  ["Is it worth hiring a coach?", "advice"],
  ["Isn't it time to move on?", "advice"],
  ["Can't you just ignore it?", "advice"],
  ["When he yells, why don't you leave?", "advice"],
  ["How's the team, have you tried a retro?", "advice"],
  // A closed question and a pushed action at once: advice wins.
  ["Don't you think you should fire him?", "advice"],
  ["Are you sure you should fire him?", "advice"],
  ["You need to talk to him, don't you?", "advice"],
];

const shares: [text: string, hint: Hint][] = [
  // Experience in the first person: what the protocol wants.
  ["When we introduced a leveling chart, I found that people stopped asking for raises.", "open"],
  ["In my company, we had the exact same problem with a senior engineer.", "open"],
  ["I remember when my best engineer quit, the team got stronger.", "open"],
  ["Last year I let a VP go and the team got stronger.", "open"],
  ["What worked for me was sitting down with each person.", "open"],
  ["My co-founder and I tried an advisory board, and it changed how we decided.", "open"],
  // An offer to share, from the source essay; not advice.
  ["I'd be happy to share a generic version of our leveling chart with the group.", "open"],
  // "I would have…" and "I'd just started…" tell the sharer's own past.
  ["I would have never guessed how relieved the team was.", "open"],
  ["I'd just started as CEO when it happened.", "open"],
  // The generic "you" of a story directs nobody.
  ["When we tried a four-day week, you could see the energy change.", "open"],
  ["You should have seen the team's faces when we announced it.", "open"],
  ["Just like you, I struggled with this for months.", "open"],
  ["Try as I might, I couldn't get him to engage.", "open"],
  ["We considered firing him, but I decided to coach him instead.", "open"],
  ["My advisor told me to wait, and I'm glad I did.", "open"],
  [
    "Don't you hate it when a hire doesn't work out? I did, and it took me a year to recover.",
    "open",
  ],
  // "have to" here reports what the sharer found; only prescriptive modals count anywhere. Open.
  ["I found that you have to over-communicate during a reorg.", "open"],

  // Advice: every pattern the brief names.
  ["You should fire him.", "advice"],
  ["You need to have the conversation this week.", "advice"],
  ["You have to set clear expectations.", "advice"],
  ["I would sit down with her and listen.", "advice"],
  ["If I were you, I'd give him one more chance.", "advice"],
  ["I'd talk to the board before doing anything.", "advice"],
  ["My advice is to wait until Q3.", "advice"],
  ["I suggest you write it all down.", "advice"],
  ["I recommend hiring a coach.", "advice"],
  ["Try a four-day week.", "advice"],
  ["Just let him go.", "advice"],
  ["Don't promise a raise you can't give.", "advice"],
  ["Make sure you document everything.", "advice"],
  ["Why don't you ask the team what they think?", "advice"],
  ["You could split the role in two.", "advice"],
  ["Consider a trial period.", "advice"],
  ["Stop micromanaging her.", "advice"],
  ["Honestly, I think you should let him go.", "advice"],
  ["In your shoes I'd talk to her first.", "advice"],
  // "should" prescribes even inside a lesson learned; the sharer can say "I learned not to…". Advice.
  ["I learned that you should never promise a raise.", "advice"],
  ["We had the same issue. When it happens, just listen.", "advice"],
];

describe("reviewQuestion", () => {
  it.each(questions)("reads %j as %s", (text, hint) => {
    expect(reviewQuestion(text).hint).toBe(hint);
  });

  it("gives every hint a reason and a rewrite that is itself an open question", () => {
    for (const [text, hint] of questions.filter(([, hint]) => hint !== "open")) {
      const review = reviewQuestion(text);
      expect(review.hint, text).toBe(hint);
      expect(review.reason?.trim(), text).toBeTruthy();
      expect(review.suggestion?.trim(), text).toBeTruthy();
      expect(reviewQuestion(review.suggestion ?? "").hint, `${text} → ${review.suggestion}`).toBe(
        "open",
      );
    }
  });

  it("leaves an open question without a reason or a rewrite", () => {
    expect(reviewQuestion("What would a good outcome look like?")).toEqual({ hint: "open" });
  });

  it("rewrites their own words where it can", () => {
    const suggestions: [string, string][] = [
      ["Have you tried talking to them?", "What have you tried so far?"],
      ["Is the team unhappy?", "In what ways is the team unhappy?"],
      ["Do you trust him?", "How much do you trust him?"],
      ["Did the launch go well?", "How did the launch go?"],
      ["Have you talked to him?", "What happened when you talked to him?"],
      ["Has this happened before?", "When has this happened before?"],
      [
        "Do you think the team would notice?",
        "What's your sense of whether the team would notice?",
      ],
      ["Why don't you just fire him?", "What might happen if you were to fire him?"],
      ["Don't fire him yet", "What might happen if you didn't fire him yet?"],
      ["How about a trial period?", "How might a trial period go?"],
      ["Have you considered hiring a COO?", "What comes up when you think about hiring a COO?"],
      ["You want to keep him, right?", "How sure are you that you want to keep him?"],
      ["What do you want, right?", "What do you want?"],
      [
        "When he yells, why don't you leave?",
        "When he yells, what might happen if you were to leave?",
      ],
    ];
    for (const [text, suggestion] of suggestions) {
      expect(reviewQuestion(text).suggestion, text).toBe(suggestion);
    }
  });

  it("falls back to an open starter when the text cannot be rewritten", () => {
    const review = reviewQuestion("Wouldn't it be easier if you waited?");
    expect(review.hint).toBe("advice");
    expect(review.suggestion).toBe("What options do you see from here?");
  });

  it("says which kind of closed question it saw", () => {
    expect(reviewQuestion("Is the team unhappy?").reason).toMatch(/yes or a no/);
    expect(reviewQuestion("Would you or your co-founder own this?").reason).toMatch(/either\/or/);
    expect(reviewQuestion("It's about the money, isn't it?").reason).toMatch(/tag question/);
    expect(reviewQuestion("Have you tried talking to them?").reason).toMatch(/advice in disguise/);
  });

  it("tolerates case, whitespace, smart quotes, missing question marks and fillers", () => {
    expect(reviewQuestion("   HAVE YOU TRIED TALKING TO THEM   ").hint).toBe("advice");
    expect(reviewQuestion("Why don’t you just fire him").hint).toBe("advice");
    expect(reviewQuestion("It’s about the money, isn’t it").hint).toBe("closed");
    expect(reviewQuestion("  is it working  ").hint).toBe("closed");
    expect(reviewQuestion("So, how'd it go?").hint).toBe("open");
    expect(reviewQuestion("Ok, so what happened next?").hint).toBe("open");
    expect(reviewQuestion("And what did the board say?").hint).toBe("open");
    expect(reviewQuestion("But why now?").hint).toBe("open");
    expect(reviewQuestion("Just curious, do you trust him?").hint).toBe("closed");
    expect(reviewQuestion("Just curious, what made you stay?").hint).toBe("open");
    expect(reviewQuestion("Just how bad is it?").hint).toBe("open");
    expect(reviewQuestion("dont you think you should fire him").hint).toBe("advice");
  });

  it("reads empty text as open", () => {
    expect(reviewQuestion("")).toEqual({ hint: "open" });
    expect(reviewQuestion("  \n\t ")).toEqual({ hint: "open" });
  });

  it("handles a full 280-character question and a 5,000-character paste", () => {
    const question =
      "So, thinking back to the reorg in spring, when the two teams merged and half of the senior engineers " +
      "started reporting to someone new, how did you decide who would lead, and what would a good outcome " +
      "look like for you and for them a year from now, if it all went the way you hope?";
    expect(question.length).toBeGreaterThanOrEqual(270);
    expect(question.length).toBeLessThanOrEqual(280);
    expect(reviewQuestion(question).hint).toBe("open");
    const paste = "Have you tried just talking to them, or is that off the table? ".repeat(80);
    expect(paste.length).toBeGreaterThanOrEqual(5000);
    expect(reviewQuestion(paste).hint).toBe("advice");
    expect(reviewQuestion("x".repeat(5000)).hint).toBe("open");
    expect(reviewQuestion("you ".repeat(1250)).hint).toBe("open");
  });
});

describe("reviewShare", () => {
  it.each(shares)("reads %j as %s", (text, hint) => {
    expect(reviewShare(text).hint).toBe(hint);
  });

  it("gives every piece of advice a reason and a Gestalt rewrite that passes as a share", () => {
    for (const [text] of shares.filter(([, hint]) => hint === "advice")) {
      const review = reviewShare(text);
      expect(review.reason?.trim(), text).toBeTruthy();
      expect(review.suggestion, text).toMatch(/^When I .*I found…$/);
      expect(reviewShare(review.suggestion ?? "").hint, `${text} → ${review.suggestion}`).toBe(
        "open",
      );
    }
  });

  it("leaves an experience share without a reason or a rewrite", () => {
    expect(reviewShare("Last year I let a VP go and the team got stronger.")).toEqual({
      hint: "open",
    });
  });

  it("keeps their content in the rewrite, told in the first person", () => {
    const suggestions: [string, string][] = [
      ["You should fire him", "When I decided to fire someone in a similar situation, I found…"],
      ["Just let him go.", "When I let someone go in a similar situation, I found…"],
      [
        "If I were you, I'd give him one more chance.",
        "When I decided to give someone one more chance in a similar situation, I found…",
      ],
      [
        "I recommend hiring a coach.",
        "When I tried hiring a coach in a similar situation, I found…",
      ],
      [
        "Make sure you document everything.",
        "When I decided to document everything in a similar situation, I found…",
      ],
      [
        "Don't promise a raise you can't give.",
        "When I decided not to promise a raise I can't give in a similar situation, I found…",
      ],
      [
        "You need to talk to your co-founder.",
        "When I decided to talk to my co-founder in a similar situation, I found…",
      ],
    ];
    for (const [text, suggestion] of suggestions) {
      expect(reviewShare(text).suggestion, text).toBe(suggestion);
    }
  });

  it("falls back to a generic Gestalt opening when the advice names no action", () => {
    expect(reviewShare("My advice? Trust your gut.").suggestion).toMatch(/I found…$/);
    expect(reviewShare("If I were you.")).toMatchObject({
      hint: "advice",
      suggestion: "When I faced something similar, I found…",
    });
  });

  it("says it reads as advice rather than experience", () => {
    expect(reviewShare("You should fire him").reason).toBe(
      "This reads as advice rather than your own experience.",
    );
  });

  it("tolerates case, whitespace, smart quotes and fillers", () => {
    expect(reviewShare("  YOU SHOULD FIRE HIM  ").hint).toBe("advice");
    expect(reviewShare("So, don’t wait too long.").hint).toBe("advice");
    expect(reviewShare("But I’d talk to her first").hint).toBe("advice");
    expect(reviewShare("Ok, so when we did this, I found it hard.").hint).toBe("open");
  });

  it("reads empty text as open", () => {
    expect(reviewShare("")).toEqual({ hint: "open" });
    expect(reviewShare("   ")).toEqual({ hint: "open" });
  });

  it("handles a full 280-character share and a 5,000-character paste", () => {
    const share =
      "When we implemented a career leveling chart, many developers suddenly realized what they had to do " +
      "to get a raise. It became clear that performance towards the company's goals, not just whoever " +
      "asked loudest, was the way to get a raise. We wrote it out in clear terms; it helped.";
    expect(share.length).toBeGreaterThanOrEqual(270);
    expect(share.length).toBeLessThanOrEqual(280);
    expect(reviewShare(share).hint).toBe("open");
    const paste = "In my last company we had the same problem, and I remember how it felt. ".repeat(
      70,
    );
    expect(paste.length).toBeGreaterThanOrEqual(5000);
    expect(reviewShare(paste).hint).toBe("open");
    expect(reviewShare(`${paste} You should fire him.`).hint).toBe("advice");
    expect(reviewShare("why don't you ".repeat(400)).hint).toBe("advice");
  });
});
