/** The shapes shared by derivation, dataset building and the format writers. */

/** One turn of the conversation a reply answers (the prompt), as chat models take it. */
export interface Turn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Where a preference comes from. */
export type PairSource = 'comparison' | 'ranking' | 'correction' | 'rating';

/** A reply chosen over another for the same prompt. */
export interface PreferencePair {
  /** The conversation up to the replies (ends with a user turn). */
  prompt: Turn[];
  chosen: string;
  rejected: string;
  source: PairSource;
  /** How strongly chosen beats rejected: a comparison's strength, a ranking's margin, a rating difference. */
  margin: number;
  /** Agreement among the reviewers behind it (0..1), when known. */
  agreement: number | null;
  /** The model versions of the two replies (a correction's chosen reply is human: null). */
  chosenModel: string | null;
  rejectedModel: string | null;
  /** BCP 47 language of the prompt (`en`, `zh`, …). */
  language: string;
}

/** A single reply judged good or bad on its own (thumbs, scores): KTO's unpaired data. */
export interface LabelledReply {
  prompt: Turn[];
  completion: string;
  /** true: desirable. */
  label: boolean;
  language: string;
}

/** A reply to learn to imitate (the best or a corrected one): supervised fine-tuning. */
export interface SftExample {
  messages: Turn[];
  language: string;
}
