"""RLHF pieces for notebook 07: the hidden labeler, comparison pairs, prompt batches, the
reward model, the KL-penalised per-token rewards, and the beta explorer (reward hacking).

The labeler stands in for InstructGPT's human raters. The notebook uses only its rankings
to train the reward model; its score (the "gold" score) serves as the referee that tells
whether the policy got better by the labeler's own standard, or only by the reward model's.
"""

import itertools

import numpy as np
import torch
from torch import nn

from helpers import _validate, corpus, gpt, lang, plots, widgets

GOLD_FACETS = ("kind_words", "unkind_words", "made_up_words", "repeats", "unfinished")


def gold_facets(prompt, response):
    """What the labeler looks at in one response: a dict of counts, one per facet.

    kind_words and unkind_words: how many of each (see ``corpus.KIND`` and
    ``corpus.UNKIND``); made_up_words: words outside the corpus's vocabulary; repeats:
    content words used more than once; unfinished: 1 unless the response is one sentence of
    at least four words, ending in a period and then the end-of-response newline.
    """
    corpus.subject_of(prompt)  # checks the prompt is one of ours
    if not isinstance(response, str):
        raise ValueError(f"response must be a string, got {type(response).__name__}")
    text = response.strip()
    words = text.replace(".", " ").split()
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
    }


def gold_score(prompt, response):
    """The labeler's score of a response, higher is better: +1 per kind word (two at most
    count), -1 per unkind word, per made-up word, per repeated word, and -1 if unfinished.
    The best answers ("the fox is kind and brave.") score 2."""
    f = gold_facets(prompt, response)
    return (
        min(f["kind_words"], 2)
        - f["unkind_words"]
        - f["made_up_words"]
        - f["repeats"]
        - f["unfinished"]
    )


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


def comparison_batch(pairs, prompt_ids, K):
    """The comparisons of a batch of prompts, all of a prompt's comparisons in one batch.

    Response k of prompt p is row ``p * K + k`` of the data; ``pairs[p]`` is
    :func:`comparison_pairs` of prompt p's K scores. Returns ``rows`` (len(prompt_ids) * K,),
    the data rows to score, and ``chosen``, ``rejected``: positions in ``rows``.
    """
    K = _validate.positive_int("K", K, minimum=2)
    prompt_ids = torch.as_tensor(prompt_ids, dtype=torch.long).flatten().cpu()
    if len(prompt_ids) == 0 or prompt_ids.min() < 0 or prompt_ids.max() >= len(pairs):
        raise ValueError(
            f"prompt_ids must be a non-empty list of indices into pairs (0 to {len(pairs) - 1})"
        )
    rows = (prompt_ids[:, None] * K + torch.arange(K)).flatten()
    chosen, rejected = [], []
    for b, p in enumerate(prompt_ids.tolist()):
        if any(not 0 <= i < K for i in [*pairs[p][0], *pairs[p][1]]):
            raise ValueError(f"pairs[{p}] must index the K = {K} responses of its prompt")
        chosen += [b * K + i for i in pairs[p][0]]
        rejected += [b * K + j for j in pairs[p][1]]
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
    gives one number per position; ``score`` reads it at the response's last token."""

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

    def score(self, seq, last):
        """The head at position ``last[b]`` of each row b (its response's last token), (B,)."""
        gpt.check_ids("seq", seq, self.body.lm_head.out_features)
        if last.shape != seq.shape[:1] or last.min() < 0 or last.max() >= seq.shape[1]:
            raise ValueError(f"last must hold one position in [0, {seq.shape[1]}) per row of seq")
        return self(seq).gather(1, last[:, None]).squeeze(1)


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


# ---------------------------------------------------------------- the beta explorer
def _check_runs(runs):
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must map at least one beta to a PPO log (a dict of lists)")
    for beta, log in runs.items():
        _validate.positive("beta", beta, allow_zero=True)
        for key in ("rm", "gold", "kl"):
            if key not in log or len(log[key]) == 0:
                raise ValueError(f"runs[{beta}] must hold a non-empty list {key!r}")


def run_summary(runs, beta):
    """One line about the run with this ``beta``: its last iterations' proxy (RM) reward,
    gold score and KL, or how to get it if it has not been trained yet."""
    beta = _validate.positive("beta", beta, allow_zero=True)
    if beta not in runs:
        return lang.pick(
            f"beta = {beta:g}: not trained yet; press the button to train PPO with it.",
            f"beta = {beta:g}：还没有训练；按下按钮，用它训练 PPO。",
        )
    log = runs[beta]
    last = {k: float(np.mean(log[k][-5:])) for k in ("rm", "gold", "kl")}
    return lang.pick(
        f"beta = {beta:g}, last 5 iterations: RM reward {last['rm']:+.2f}, "
        f"gold score {last['gold']:+.2f}, KL to the SFT model {last['kl']:.1f} nats",
        f"beta = {beta:g}，最近 5 次迭代：奖励模型(RM)奖励 {last['rm']:+.2f}，"
        f"金标准(gold)得分 {last['gold']:+.2f}，与 SFT 模型的 KL散度 {last['kl']:.1f} nats",
    )


def _moving_average(x, k=5):
    x = np.asarray(x, dtype=float)
    k = min(k, len(x))
    return np.convolve(x, np.ones(k) / k, mode="valid")


def hacking_figure(runs, beta=None, sft_gold=None):
    """Proxy (RM) reward and gold score against the KL to the reference, one pair of lines
    per beta (left, 5-iteration moving averages, the run for ``beta`` drawn thick), and that
    run's curves per iteration (right).

    ``runs`` maps beta to a PPO log with lists ``rm``, ``gold`` and ``kl`` per iteration.
    """
    _check_runs(runs)
    fig, (ax_kl, ax_it) = plots.new_figure((12, 4), ncols=2)
    for i, b in enumerate(sorted(runs)):
        log, thick = runs[b], b == beta
        kw = {"color": f"C{i}", "linewidth": 2.5 if thick else 1.2, "alpha": 1 if thick else 0.7}
        kl = _moving_average(log["kl"])
        ax_kl.plot(
            kl, _moving_average(log["rm"]), "-", **kw, label=f"beta={b:g}: RM reward (proxy)"
        )
        ax_kl.plot(kl, _moving_average(log["gold"]), "--", **kw, label=f"beta={b:g}: gold score")
    ax_kl.set_xlabel("KL(policy || SFT reference), nats per response")
    ax_kl.set_ylabel("score")
    ax_kl.set_title("proxy and gold against KL (5-iteration moving averages)")
    ax_kl.legend(fontsize="x-small", ncol=2)
    if beta in runs:
        log = runs[beta]
        it = np.arange(1, len(log["rm"]) + 1)
        ax_it.plot(it, log["rm"], color="tab:blue", label="RM reward (proxy)")
        ax_it.plot(it, log["gold"], color="tab:orange", label="gold score (the labeler)")
        ax_it.set_xlabel("PPO iteration")
        ax_it.set_title(f"beta = {beta:g}")
        ax_twin = ax_it.twinx()
        ax_twin.plot(it, log["kl"], color="tab:grey", linestyle=":", label="KL (right axis)")
        ax_twin.set_ylabel("KL, nats")
        ax_twin.legend(fontsize="x-small", loc="lower right")
    else:
        ax_it.set_title(f"beta = {beta:g}: press the button to train" if beta is not None else "")
    if sft_gold is not None:
        for ax in (ax_kl, ax_it):
            ax.axhline(sft_gold, color="black", linewidth=0.8, linestyle="-.")
        ax_it.plot([], [], color="black", linewidth=0.8, linestyle="-.", label="gold score of SFT")
    if beta in runs or sft_gold is not None:
        ax_it.legend(fontsize="x-small", loc="upper left")
    for ax in (ax_kl, ax_it):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def beta_explorer(runs, train, betas=(0.0, 0.01, 0.03, 0.1, 0.3), beta=0.0, sft_gold=None):
    """A "beta" slider that redraws :func:`hacking_figure` for runs already trained, and a
    button that calls ``train(beta)`` (which returns a PPO log) and adds the run to ``runs``."""
    import ipywidgets as W

    _check_runs(runs)
    betas = sorted(set(betas) | set(runs))
    slider = W.SelectionSlider(
        options=betas,
        value=beta if beta in betas else betas[0],
        description="beta",
        continuous_update=False,
    )
    button = W.Button(
        description=lang.pick("train PPO with this beta", "用这个 beta 训练 PPO"),
        icon="play",
        layout=W.Layout(width="220px"),
    )
    summary = W.Label()
    image = W.Image(format="png")
    log = W.Output()

    def redraw(_=None):
        summary.value = run_summary(runs, slider.value)
        image.value = plots.figure_png(hacking_figure(runs, slider.value, sft_gold))

    def retrain():
        runs[slider.value] = train(slider.value)

    slider.observe(redraw, names="value")
    widgets.train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), summary, image, log])
