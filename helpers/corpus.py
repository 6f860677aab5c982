"""The text of notebook 07, made by a small deterministic grammar (nothing is downloaded).

A world of twenty animals described by one-line sentences ("the brave fox swims by the
lake."). It yields three things, always the same for the same ``seed``:

* ``pretraining_text``: a corpus of lines such as "fox: the brave fox swims by the lake."
  (a topic, then a sentence about it; about 170 KB);
* ``PROMPTS``: instructions such as "tell me about the fox:", split into ``TRAIN_PROMPTS``
  and ``TEST_PROMPTS``. Held out is one whole phrasing, ``HELDOUT_TEMPLATE`` ("a line about
  the fox:"), with all twenty animals: no model trains on it (not SFT, not the reward model,
  not the policy), so the held-out prompts test whether what was learned carries over to a
  way of asking never seen in training. Every animal is seen in training, in the other three
  phrasings (and all of them in the pretraining corpus);
* ``demonstrations``: prompt -> response pairs (training prompts only) for supervised
  fine-tuning. They teach the format (one sentence about the animal asked about, then a
  newline), written as if by many people: some answers are kind, some unkind, most plain,
  a few only a fragment.
  Nobody told them what the labeler in ``helpers.rlhf`` prefers.
"""

import random

NOUNS = (
    "cat",
    "dog",
    "fox",
    "owl",
    "bee",
    "cow",
    "pig",
    "hen",
    "duck",
    "frog",
    "bear",
    "wolf",
    "goat",
    "lamb",
    "mouse",
    "horse",
    "sheep",
    "seal",
    "crab",
    "deer",
)
KIND = ("happy", "kind", "brave", "calm", "sweet", "nice", "good", "glad")
UNKIND = ("sad", "mean", "rude", "lazy", "angry", "cross")
PLAIN = ("big", "small", "old", "young", "brown", "gray")
VERBS = ("runs", "jumps", "naps", "sings", "plays", "swims", "eats", "walks", "hides", "sits")
PLACES = ("in the park", "by the lake", "on the hill", "in the barn", "at home", "in the sun")
FUNCTION_WORDS = ("the", "a", "is", "and", "in", "by", "on", "at", "with", "to", "too", "very")
TEMPLATES = (
    "the {adj} {noun} {verb} {place}.",
    "a {adj} {noun} {verb} {place}.",
    "the {noun} is {adj} and {adj2}.",
    "the {noun} is very {adj}.",
    "the {adj} {noun} {verb} with the {noun2}.",
    "the {noun} {verb} {place} too.",
)
PROMPT_TEMPLATES = (
    "tell me about the {noun}:",
    "write about the {noun}:",
    "describe the {noun}:",
    "a line about the {noun}:",
)
PROMPTS = tuple(t.format(noun=n) for t in PROMPT_TEMPLATES for n in NOUNS)
PROMPT_LEN = max(len(p) for p in PROMPTS)  # prompts are left-padded with spaces to this width
HELDOUT_TEMPLATE = PROMPT_TEMPLATES[-1]  # the phrasing no model trains on
TEST_PROMPTS = tuple(HELDOUT_TEMPLATE.format(noun=n) for n in NOUNS)  # held out: 20 prompts
TRAIN_PROMPTS = tuple(p for p in PROMPTS if p not in TEST_PROMPTS)  # 60 prompts
ALPHABET = "\n .:" + "abcdefghijklmnopqrstuvwxyz"
VOCABULARY = frozenset(
    w for group in (NOUNS, KIND, UNKIND, PLAIN, VERBS, FUNCTION_WORDS) for w in group
) | frozenset(w for place in PLACES for w in place.split())


def sentence(rng, noun=None):
    """One random sentence about ``noun`` (a random animal if None)."""
    adjectives = KIND + UNKIND + PLAIN
    adj, adj2 = rng.sample(adjectives, 2)
    return rng.choice(TEMPLATES).format(
        adj=adj,
        adj2=adj2,
        noun=noun or rng.choice(NOUNS),
        noun2=rng.choice(NOUNS),
        verb=rng.choice(VERBS),
        place=rng.choice(PLACES),
    )


def pretraining_text(n_lines=5000, seed=0):
    """``n_lines`` lines like "fox: the brave fox swims by the lake.", a topic and a sentence
    about it (so that the model learns to look back at the topic)."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        noun = rng.choice(NOUNS)
        lines.append(f"{noun}: {sentence(rng, noun)}\n")
    return "".join(lines)


def subject_of(prompt):
    """The animal a prompt asks about ("tell me about the fox:" -> "fox")."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    words = prompt.strip().rstrip(":").split()
    if not words or words[-1] not in NOUNS:
        raise ValueError(f"prompt must end with one of the animals {NOUNS}, got {prompt!r}")
    return words[-1]


def pad_prompt(prompt):
    """Left-pad a prompt with spaces to ``PROMPT_LEN`` characters, so a batch is a rectangle."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    if len(prompt) > PROMPT_LEN:
        raise ValueError(f"prompt must be at most {PROMPT_LEN} characters, got {prompt!r}")
    return prompt.rjust(PROMPT_LEN)


def demonstrations(n, seed=1, terse=0.15):
    """``n`` (prompt, response) pairs on ``TRAIN_PROMPTS``; the response is " ", a sentence
    about the prompt's animal, and a newline. A fraction ``terse`` of the writers answer
    with a fragment instead ("the brave fox.")."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not 0 <= terse <= 1:
        raise ValueError(f"terse must be a fraction in [0, 1], got {terse!r}")
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        prompt = rng.choice(TRAIN_PROMPTS)
        noun = subject_of(prompt)
        if rng.random() < terse:
            answer = f"{rng.choice(('the', 'a'))} {rng.choice(KIND + UNKIND + PLAIN)} {noun}."
        else:
            answer = sentence(rng, noun)
        pairs.append((prompt, " " + answer + "\n"))
    return pairs
