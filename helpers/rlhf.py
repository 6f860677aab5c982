"""RLHF pieces for notebooks 07 and 08: the hidden labeler, measures of a policy's answers
(on topic, distinct, best-of-n's KL), comparison pairs, prompt batches, the reward model,
and the KL-penalised per-token rewards (the world file that 07 saves and 08 loads is
``helpers.world``).

The labeler stands in for InstructGPT's human raters. The notebook uses only its rankings
to train the reward model; its score (the "gold" score) serves as the referee that tells
whether the policy got better by the labeler's own standard, or only by the reward model's.
The over-optimisation figure is in ``helpers.rlhf_plots``, the beta explorer in ``helpers.widgets``.
"""

import itertools
import math
import re

import torch
from torch import nn

from helpers import _validate, corpus, gpt

GOLD_FACETS = ("kind_words", "unkind_words", "made_up_words", "repeats", "unfinished", "off_topic")
OFF_TOPIC_COST = 2  # gold lost by an answer that is not about the prompt's animal


def _words(response):
    return response.strip().replace(".", " ").split()


def on_topic(prompt, response):
    """True when the prompt's animal is one of the response's words (spelled right)."""
    return corpus.subject_of(prompt) in _words(response)


def gold_facets(prompt, response):
    """What the labeler looks at in one response: a dict of counts, one per facet.

    kind_words and unkind_words: how many of each (see ``corpus.KIND`` and
    ``corpus.UNKIND``); made_up_words: words outside the corpus's vocabulary; repeats:
    content words used more than once; unfinished: 1 unless the response is one sentence of
    at least four words, ending in a period and then the end-of-response newline; off_topic:
    1 unless the prompt's animal is among the response's words (an answer about another
    animal, about none, or with the animal misspelled, does not answer the question).
    """
    corpus.subject_of(prompt)  # checks the prompt is one of ours
    if not isinstance(response, str):
        raise ValueError(f"response must be a string, got {type(response).__name__}")
    text = response.strip()
    words = _words(response)
    content = [w for w in words if w not in corpus.FUNCTION_WORDS]
    finished = (
        response.endswith("\n") and text.endswith(".") and text.count(".") == 1 and len(words) >= 4
    )
    return {
        "kind_words": sum(w in corpus.KIND for w in words),
        "unkind_words": sum(w in corpus.UNKIND for w in words),
        "made_up_words": sum(w not in corpus.VOCABULARY for w in words),
        "repeats": len(content) - len(set(content)),
        "unfinished": int(not finished),
        "off_topic": int(not on_topic(prompt, response)),
    }


def gold_score(prompt, response):
    """The labeler's score of a response, higher is better: +1 per kind word (two at most
    count), -1 per unkind word, per made-up word, per repeated word, -1 if unfinished, and
    -2 if it is not about the prompt's animal. The best answers ("the fox is kind and
    brave." to a question about the fox) score 2; the same answer to a question about the
    cat scores 0, no better than a plain answer about the cat."""
    f = gold_facets(prompt, response)
    return (
        min(f["kind_words"], 2)
        - f["unkind_words"]
        - f["made_up_words"]
        - f["repeats"]
        - f["unfinished"]
        - OFF_TOPIC_COST * f["off_topic"]
    )


def _check_pairs_of(prompts, responses):
    if isinstance(prompts, str) or isinstance(responses, str):
        raise ValueError("prompts and responses must be lists of strings, not one string")
    prompts, responses = list(prompts), list(responses)
    if not responses or len(prompts) != len(responses):
        raise ValueError(
            f"prompts and responses must be non-empty and of one length, got {len(prompts)} "
            f"and {len(responses)}"
        )
    return prompts, responses


def answer_form(prompt, response):
    """The response with the prompt's animal replaced by "_": "the fox is very happy." to a
    question about the fox and "the cat is very happy." to one about the cat have one form."""
    if not isinstance(response, str):
        raise ValueError(f"response must be a string, got {type(response).__name__}")
    return re.sub(rf"\b{corpus.subject_of(prompt)}\b", "_", response.strip())


def distinct_share(prompts, responses):
    """The share of distinct answers among ``responses`` (one per prompt), counted by
    :func:`answer_form`: 1.0 when no two are alike, 1/len(responses) when the policy writes
    one sentence for every prompt with only the animal changed (mode collapse)."""
    prompts, responses = _check_pairs_of(prompts, responses)
    forms = {answer_form(p, y) for p, y in zip(prompts, responses, strict=True)}
    return len(forms) / len(responses)


def best_of_n_kl(n):
    r"""KL(best-of-n || pi) of the policy "sample n answers from pi, keep the reward model's
    favourite": :math:`\log n - (n - 1)/n` nats (Stiennon et al., 2020). Exact only in the limit
    where no single answer has a positive probability (a continuum of answers, so the n draws
    never tie); for a policy over a finite set of answers, an upper bound (Beirami et al., 2024)."""
    n = _validate.positive_int("n", n)
    return math.log(n) - (n - 1) / n


def comparison_pairs(scores):
    """Every pair (i, j) of K >= 2 responses to one prompt whose scores differ, ordered so
    that ``scores[i] > scores[j]``: i is chosen, j rejected. Ties compare nothing.

    ``scores``: K numbers. Returns two lists of indices, chosen and rejected.
    """
    scores = _validate.float_tensor("scores", scores, ndim=1).tolist()
    if len(scores) < 2:
        raise ValueError(f"scores must hold K >= 2 responses to compare, got K = {len(scores)}")
    chosen, rejected = [], []
    for i, j in itertools.combinations(range(len(scores)), 2):
        if scores[i] != scores[j]:
            chosen.append(i if scores[i] > scores[j] else j)
            rejected.append(j if scores[i] > scores[j] else i)
    return chosen, rejected


def comparison_batch(pairs, prompt_ids, per_prompt):
    """The comparisons of a batch of prompts, all of a prompt's comparisons in one batch.

    ``per_prompt`` responses are ranked per prompt (notebook 07's K_all: its K own answers and
    the borrowed ones): response k of prompt p is row ``p * per_prompt + k`` of the data, and
    ``pairs[p]`` is :func:`comparison_pairs` of prompt p's ``per_prompt`` scores. Returns ``rows``
    (len(prompt_ids) * per_prompt,), the data rows to score, and ``chosen``, ``rejected``:
    positions in ``rows``.
    """
    per_prompt = _validate.positive_int("per_prompt", per_prompt, minimum=2)
    prompt_ids = torch.as_tensor(prompt_ids, dtype=torch.long).flatten().cpu()
    if len(prompt_ids) == 0 or prompt_ids.min() < 0 or prompt_ids.max() >= len(pairs):
        raise ValueError(
            f"prompt_ids must be a non-empty list of indices into pairs (0 to {len(pairs) - 1})"
        )
    rows = (prompt_ids[:, None] * per_prompt + torch.arange(per_prompt)).flatten()
    chosen, rejected = [], []
    for b, p in enumerate(prompt_ids.tolist()):
        if any(not 0 <= i < per_prompt for i in [*pairs[p][0], *pairs[p][1]]):
            raise ValueError(
                f"pairs[{p}] must index the per_prompt = {per_prompt} responses of its prompt"
            )
        chosen += [b * per_prompt + i for i in pairs[p][0]]
        rejected += [b * per_prompt + j for j in pairs[p][1]]
    return rows, torch.tensor(chosen, dtype=torch.long), torch.tensor(rejected, dtype=torch.long)


def encode_prompts(tokenizer, prompts, device=None):
    """A (B, PROMPT_LEN) tensor of token ids, each prompt left-padded with spaces."""
    if isinstance(prompts, str) or len(prompts) == 0:
        raise ValueError("prompts must be a non-empty list of prompt strings")
    rows = [tokenizer.encode(corpus.pad_prompt(p)) for p in prompts]
    return torch.tensor(rows, dtype=torch.long, device=device)


def encode_responses(tokenizer, responses, max_len, device=None):
    """Responses as a (B, max_len) tensor padded with the end-of-response id, and their
    lengths (B,). A response longer than ``max_len`` raises a ValueError."""
    _validate.positive_int("max_len", max_len)
    if isinstance(responses, str) or len(responses) == 0:
        raise ValueError("responses must be a non-empty list of strings")
    tokens = torch.full((len(responses), max_len), tokenizer.eos_id, dtype=torch.long)
    lengths = torch.zeros(len(responses), dtype=torch.long)
    for i, response in enumerate(responses):
        ids = tokenizer.encode(response)
        if not 0 < len(ids) <= max_len:
            raise ValueError(
                f"responses must have 1 to max_len={max_len} characters, got {response!r}"
            )
        tokens[i, : len(ids)] = torch.tensor(ids)
        lengths[i] = len(ids)
    return tokens.to(device), lengths.to(device)


def decode_responses(tokenizer, tokens, lengths):
    """The response strings of ``tokens`` (B, T), each cut at its length."""
    return [
        tokenizer.decode(row[:n]) for row, n in zip(tokens.tolist(), lengths.tolist(), strict=True)
    ]


class RewardModel(nn.Module):
    """r_phi(prompt, response): a GPT body (a copy of the SFT model) and a linear head that
    gives one number per position; ``score`` averages it over the response's tokens."""

    def __init__(self, body):
        super().__init__()
        if not isinstance(body, gpt.GPT):
            raise ValueError(f"body must be a helpers.gpt.GPT, got {type(body).__name__}")
        self.body = body
        self.head = nn.Linear(body.n_embd, 1)
        nn.init.normal_(self.head.weight, 0.0, 0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, seq):  # (B, T) -> (B, T)
        return self.head(self.body.hidden(seq)).squeeze(-1).float()

    def score(self, seq, prompt_len, lengths):
        """The head's mean over each row's response tokens, (B,): row b of ``seq`` is a
        prompt of ``prompt_len`` tokens, then a response of ``lengths[b]`` tokens (padding
        after it cannot matter: attention is causal)."""
        gpt.check_ids("seq", seq, self.body.lm_head.out_features)
        prompt_len = _validate.positive_int("prompt_len", prompt_len)
        if (
            not isinstance(lengths, torch.Tensor)
            or lengths.shape != seq.shape[:1]
            or lengths.min() < 1
            or prompt_len + lengths.max() > seq.shape[1]
        ):
            raise ValueError(
                f"lengths must hold one response length in [1, {seq.shape[1] - prompt_len}] "
                "per row of seq"
            )
        per_token = self(seq)[:, prompt_len:]  # (B, T): the head at each response token
        mask = gpt.response_mask(lengths, per_token.shape[1])
        return (per_token * mask).sum(1) / lengths


def token_rewards(scores, logprobs, ref_logprobs, lengths, beta):
    r"""Per-token rewards of InstructGPT's PPO stage, (B, T):
    :math:`r_t = -\beta(\log\pi(a_t) - \log\pi_{ref}(a_t))`, plus the reward model's score
    at each response's last token (t = length - 1); zero after it.

    ``scores``: (B,); ``logprobs``, ``ref_logprobs``: (B, T); ``lengths``: (B,) in [1, T].
    """
    beta = _validate.positive("beta", beta, allow_zero=True)
    scores = _validate.float_tensor("scores", scores, ndim=1)
    logprobs = _validate.float_tensor("logprobs", logprobs, ndim=2)
    ref_logprobs = _validate.float_tensor("ref_logprobs", ref_logprobs, ndim=2)
    _validate.same_shape("logprobs", logprobs, "ref_logprobs", ref_logprobs)
    B, T = logprobs.shape
    if scores.shape != (B,) or lengths.shape != (B,):
        raise ValueError(f"scores and lengths must have shape ({B},)")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths must lie in [1, {T}]")
    mask = gpt.response_mask(lengths, T)
    rewards = -beta * (logprobs - ref_logprobs) * mask
    rewards[torch.arange(B, device=rewards.device), lengths - 1] += scores
    return rewards
