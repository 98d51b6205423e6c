"""The toy tasks the shipped models learn, with their data generated here (fixed seed).

- ``sentiment``: short English sentences in the style of article 001 ("i like dog",
  "i hate milk"), with "not" flipping the meaning ("i do not like this" is negative).
  One label per sentence: 0 negative, 1 positive. Word tokens.
- ``brackets``: strings of "(", ")" and the letters a, b ("(a(b))"), never closing more
  than was opened; one label per character: the bracket depth after reading it (0 … 4).
  Character tokens.
- ``memory``: a first word that names an animal (cat, dog, bird, fish), then 0 … 60 other
  words ("cat saw a dog and then the red bird ran"), later animals included; one label per
  sentence: the animal that came first. Word tokens. The answer is as far from its clue as
  the sentence is long, which is what a plain RNN cannot learn to carry.

Every vocabulary starts with ``<pad>`` = 0 and ``<unk>`` = 1: a word typed by a student
that the model never saw is read as ``<unk>``.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from lstm_viz.core.tokens import PAD

UNK = "<unk>"
SUBJECTS = ("i", "you", "we", "they")
VERBS = {"like": 1, "love": 1, "enjoy": 1, "hate": 0, "dislike": 0}
OBJECTS = ("dog", "dogs", "cats", "coffee", "tea", "milk", "music", "rain", "this", "you", "it")
ADJECTIVES = {"good": 1, "great": 1, "nice": 1, "bad": 0, "awful": 0}
MAX_DEPTH = 4
ANIMALS = ("cat", "dog", "bird", "fish")  # memory: the classes, and later distractors too
FILLERS = ("the", "a", "big", "small", "red", "old", "saw", "ran", "and", "then", "it", "was",
           "very", "happy", "home", "away")
MAX_DISTANCE = 60  # memory: most words between the clue (first word) and the answer
LATER_ANIMAL = 0.2  # memory: chance that a later word is an animal too


@dataclass(frozen=True)
class Task:
    name: str
    tokens: str  # lstm_viz.core.tokens level: "word" or "char"
    per_step: bool  # a label at every step (depth) or one per sentence (sentiment)
    classes: tuple[str, ...]  # class k's name
    vocab: tuple[str, ...]  # vocab[id]; vocab[0] == "<pad>", vocab[1] == "<unk>"
    examples: tuple[str, ...]  # the preset's sentences
    triggers: tuple[str, ...]  # tokens at which a gate is looked for (lstm_viz.trained.readable)


def _sentiment_vocab() -> tuple[str, ...]:
    words = [*SUBJECTS, "do", "not", "really", "very", "is", *VERBS, *OBJECTS, *ADJECTIVES]
    return (PAD, UNK, *dict.fromkeys(words))


TASKS = {
    "sentiment": Task("sentiment", "word", False, ("negative", "positive"), _sentiment_vocab(),
                      ("i do not like this", "i like dog", "i hate milk",
                       "we do not hate music", "coffee is not good", "i really love tea"),
                      ("not",)),
    "brackets": Task("brackets", "char", True, tuple(str(d) for d in range(MAX_DEPTH + 1)),
                     (PAD, UNK, "(", ")", "a", "b"),
                     ("((((a))))", "(a(b))", "()()(a)", "a(((b)", "(()(()))"),
                     ("(", ")")),
    "memory": Task("memory", "word", False, ANIMALS, (PAD, UNK, *ANIMALS, *FILLERS),
                   ("cat saw a dog and then the big bird ran home",
                    "fish", "dog and the red cat ran away",
                    "bird saw a small fish then a cat then a dog and it was very happy"),
                   ANIMALS),
}


def sentiment_sentences() -> list[tuple[list[str], int]]:
    """Every sentence of the grammar once, with its label (1 positive)."""
    out = []
    for s, adv, neg, (verb, pos), obj in itertools.product(
            SUBJECTS, ((), ("really",)), (False, True), VERBS.items(), OBJECTS):
        words = [s, *(("do", "not") if neg else ()), *adv, verb, obj]
        out.append((words, int(pos != neg)))
    for obj, neg, very, (adj, pos) in itertools.product(
            OBJECTS, (False, True), ((), ("very",)), ADJECTIVES.items()):
        out.append(([obj, "is", *(("not",) if neg else ()), *very, adj], int(pos != neg)))
    return out


def bracket_string(rng: random.Random, length: int) -> tuple[list[str], list[int]]:
    """A random string that never closes below depth 0 nor opens beyond MAX_DEPTH, and the
    depth after each character."""
    chars, depths, depth = [], [], 0
    for _ in range(length):
        choices = ["a", "b"] + ["("] * 3 * (depth < MAX_DEPTH) + [")"] * 3 * (depth > 0)
        ch = rng.choice(choices)
        depth += {"(": 1, ")": -1}.get(ch, 0)
        chars.append(ch)
        depths.append(depth)
    return chars, depths


def bracket_strings(rng: random.Random, count: int, max_len: int) -> list:
    """``count`` distinct strings of 2 … ``max_len`` characters with their depths."""
    seen, out = set(), []
    while len(out) < count:
        chars, depths = bracket_string(rng, rng.randint(2, max_len))
        if "".join(chars) not in seen:
            seen.add("".join(chars))
            out.append((chars, depths))
    return out


def memory_sentence(rng: random.Random, distance: int) -> tuple[list[str], int]:
    """An animal, then ``distance`` more words (each an animal with chance LATER_ANIMAL);
    and the label: the index of the first animal in ANIMALS."""
    first = rng.randrange(len(ANIMALS))
    later = [rng.choice(ANIMALS) if rng.random() < LATER_ANIMAL else rng.choice(FILLERS)
             for _ in range(distance)]
    return [ANIMALS[first], *later], first


def memory_sentences(rng: random.Random, count: int, max_distance: int = MAX_DISTANCE) -> list:
    """``count`` sentences with distances drawn uniformly from 0 … ``max_distance``."""
    return [memory_sentence(rng, rng.randint(0, max_distance)) for _ in range(count)]


def make_data(task: Task, seed: int = 0, test_share: float = 0.2,
              max_distance: int = MAX_DISTANCE) -> tuple[list, list]:
    """(train, test): lists of (tokens, label) with no sentence in both; the label is an
    int (sentiment, memory) or a list of ints, one per token (brackets). ``max_distance``:
    the memory task's longest clue–answer distance (the shipped models': MAX_DISTANCE)."""
    rng = random.Random(seed)
    data = {"sentiment": sentiment_sentences, "brackets": lambda: bracket_strings(rng, 2500, 14),
            "memory": lambda: _distinct(memory_sentences(rng, 2500, max_distance))}[task.name]()
    rng.shuffle(data)
    cut = int(len(data) * (1 - test_share))
    return data[:cut], data[cut:]


def _distinct(data: list) -> list:
    """The first occurrence of every sentence (short ones repeat: "cat" alone, …)."""
    seen = {}
    for tokens, label in data:
        seen.setdefault(" ".join(tokens), (tokens, label))
    return list(seen.values())


def encode(task: Task, tokens: list[str]) -> list[int]:
    """Token ids in ``task.vocab`` (lower-cased; unknown → ``<unk>`` = 1)."""
    index = {tok: k for k, tok in enumerate(task.vocab)}
    return [index.get(tok, index.get(tok.lower(), 1)) for tok in tokens]
