"""A tiny character-level GPT (after Karpathy's nanoGPT) for notebook 07.

Holds the character tokenizer, the model (token + position embeddings, pre-LayerNorm blocks
of causal self-attention and an MLP, a final LayerNorm and an output layer tied to the token
embedding), batched sampling with a key-value cache, per-token log-probabilities and entropy.
The training loops (pretraining, SFT, reward model, PPO) stay inline in the notebook.
"""

import math
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from helpers import _validate


class CharTokenizer:
    """Maps each character of a fixed alphabet to an integer id and back.

    ``eos`` is the character that ends a response (a newline by default); its id is
    ``eos_id``. Encoding a character outside the alphabet raises a ValueError.
    """

    def __init__(self, chars, eos="\n"):
        chars = "".join(sorted(set(chars)))
        if len(chars) < 2:
            raise ValueError(f"chars must hold at least two distinct characters, got {chars!r}")
        if eos not in chars:
            raise ValueError(f"eos must be one of chars, got {eos!r}")
        self.chars = chars
        self.stoi = {c: i for i, c in enumerate(chars)}
        self.eos_id = self.stoi[eos]

    @property
    def vocab_size(self):
        return len(self.chars)

    def encode(self, text):
        """The list of ids of ``text``."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a string, got {type(text).__name__}")
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(
                f"text contains characters outside the tokenizer's alphabet {self.chars!r}: "
                f"{''.join(unknown)!r}"
            )
        return [self.stoi[c] for c in text]

    def decode(self, ids):
        """The string of a sequence of ids (a list or a 1-d tensor)."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        if any(not 0 <= int(i) < self.vocab_size for i in ids):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), got {ids!r}")
        return "".join(self.chars[int(i)] for i in ids)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)  # query, key, value in one matmul
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x, cache=None):  # x: (B, T, C)
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        if cache is not None:  # keys and values of earlier positions, (B, nh, T_past, hs)
            if cache.get("k") is not None:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        # each query sees every earlier key; with a cache, T new queries follow T_past old keys
        T_past = k.shape[2] - T
        if T == 1:
            y = F.scaled_dot_product_attention(q, k, v)  # the newest token sees everything
        elif T_past == 0:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            mask = torch.ones(T, T_past + T, dtype=torch.bool, device=x.device).tril(T_past)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(
            OrderedDict(
                c_fc=nn.Linear(n_embd, 4 * n_embd),
                gelu=nn.GELU(),
                c_proj=nn.Linear(4 * n_embd, n_embd),  # back onto the residual stream
            )
        )

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """A decoder-only transformer over characters; ``model(idx)`` gives next-token logits."""

    def __init__(self, vocab_size, block_size=128, n_layer=2, n_head=4, n_embd=64):
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("block_size", block_size),
            ("n_layer", n_layer),
            ("n_head", n_head),
            ("n_embd", n_embd),
        ):
            _validate.positive_int(name, value)
        if n_embd % n_head:
            raise ValueError(f"n_embd must be divisible by n_head, got {n_embd} and {n_head}")
        self.block_size = block_size
        self.n_embd = n_embd
        self.wte = nn.Embedding(vocab_size, n_embd)  # token embedding
        self.wpe = nn.Embedding(block_size, n_embd)  # position embedding
        self.blocks = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied weights
        # nanoGPT's initialisation: N(0, 0.02) everywhere, smaller on the residual projections
        # (each block's attn.c_proj and mlp.c_proj, which add onto the residual stream).
        # (PyTorch's default N(0, 1) embedding, tied to the output, starts at a loss near 40.)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def hidden(self, idx, cache=None):
        """The last layer's features, (B, T, n_embd). ``cache`` (from ``new_cache``) holds
        the keys and values of the positions already seen and is extended in place."""
        B, T = idx.shape
        start = 0 if cache is None or cache[0].get("k") is None else cache[0]["k"].shape[2]
        if start + T > self.block_size:
            raise ValueError(
                f"idx is too long: {start + T} positions, the model's block_size is {self.block_size}"
            )
        pos = torch.arange(start, start + T, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)  # (B, T, C)
        for i, block in enumerate(self.blocks):
            x = block(x, None if cache is None else cache[i])
        return self.ln_f(x)

    def forward(self, idx, cache=None):  # (B, T) -> (B, T, vocab_size)
        return self.lm_head(self.hidden(idx, cache))

    def new_cache(self):
        """An empty key-value cache, one dict per block."""
        return [{} for _ in self.blocks]


def check_ids(name, idx, vocab_size):
    """Check that ``idx`` is a (B, T) integer tensor of token ids below ``vocab_size``."""
    if not isinstance(idx, torch.Tensor) or idx.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"{name} must be an integer tensor of token ids")
    if idx.dim() != 2 or idx.shape[1] == 0 or idx.shape[0] == 0:
        raise ValueError(f"{name} must have shape (B, T) with B, T >= 1, got {tuple(idx.shape)}")
    if idx.min() < 0 or idx.max() >= vocab_size:
        raise ValueError(f"{name} must hold ids in [0, {vocab_size})")


@torch.no_grad()
def generate(
    model, idx, max_new_tokens, temperature=1.0, eos_id=None, use_cache=True, generator=None
):
    """Sample up to ``max_new_tokens`` after each row of the prompts ``idx`` (B, P).

    Returns ``(tokens, lengths)``: tokens (B, max_new_tokens), where every position after a
    row's first ``eos_id`` is filled with ``eos_id``, and lengths (B,), the number of
    response tokens up to and including that first ``eos_id`` (``max_new_tokens`` if none).
    With ``use_cache`` each step feeds only the newest token and reuses the keys and values
    of earlier ones; without it, each step recomputes the whole sequence (same result, slower).
    """
    check_ids("idx", idx, model.lm_head.out_features)
    _validate.positive_int("max_new_tokens", max_new_tokens)
    temperature = _validate.positive("temperature", temperature)
    if idx.shape[1] + max_new_tokens > model.block_size:
        raise ValueError(
            f"prompt length {idx.shape[1]} + max_new_tokens {max_new_tokens} exceeds the "
            f"model's block_size {model.block_size}"
        )
    B = idx.shape[0]
    cache = model.new_cache() if use_cache else None
    seq, step_input = idx, idx
    tokens = torch.full((B, max_new_tokens), -1, dtype=torch.long, device=idx.device)
    done = torch.zeros(B, dtype=torch.bool, device=idx.device)
    for t in range(max_new_tokens):
        logits = model(step_input if use_cache else seq, cache)[:, -1, :].float()  # (B, V)
        probs = torch.softmax(logits / temperature, dim=-1)
        next_id = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
        if eos_id is not None:
            next_id = torch.where(done[:, None], torch.full_like(next_id, eos_id), next_id)
            done |= next_id[:, 0] == eos_id
        tokens[:, t] = next_id[:, 0]
        seq = torch.cat([seq, next_id], dim=1)
        step_input = next_id
        if eos_id is not None and bool(done.all()):
            tokens[:, t + 1 :] = eos_id
            break
    if eos_id is None:
        return tokens, torch.full((B,), max_new_tokens, device=idx.device)
    is_eos = tokens == eos_id
    lengths = torch.where(is_eos.any(1), is_eos.float().argmax(1) + 1, max_new_tokens)  # (B,)
    return tokens, lengths


def token_logprobs(logits, targets):
    """log p(target) at every position: logits (B, T, V), targets (B, T) -> (B, T)."""
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def entropy(logits):
    """Entropy in nats of each next-token distribution: logits (..., V) -> (...);
    0 for a certain choice, log V for a uniform guess."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    return -(logp.exp() * logp).sum(-1)


def response_logprobs(model, seq, prompt_len):
    """log pi(a_t | prompt, a_<t) of each response token of ``seq`` (B, prompt_len + T) -> (B, T).

    One forward pass over the whole sequence; the logits at position i predict token i + 1.
    """
    check_ids("seq", seq, model.lm_head.out_features)
    _validate.positive_int("prompt_len", prompt_len)
    if prompt_len >= seq.shape[1]:
        raise ValueError(f"prompt_len must be shorter than seq ({seq.shape[1]}), got {prompt_len}")
    logits = model(seq[:, :-1])  # (B, L-1, V)
    return token_logprobs(logits[:, prompt_len - 1 :], seq[:, prompt_len:])


def response_mask(lengths, max_len):
    """(B, max_len) float mask, 1 for the first ``lengths[b]`` positions of row b."""
    return (torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]).float()
