"""The tiny GPT: tokenizer round trip, KV-cache generation against full recomputation,
per-token log-probabilities against a naive loop, and the errors a learner can meet."""

import math

import pytest
import torch

from helpers import corpus, gpt

TOK = gpt.CharTokenizer(corpus.ALPHABET)


def tiny_model(seed=0, block_size=48):
    torch.manual_seed(seed)
    return gpt.GPT(TOK.vocab_size, block_size=block_size, n_layer=2, n_head=2, n_embd=16).eval()


def test_tokenizer_round_trips_the_whole_corpus():
    text = corpus.pretraining_text(n_lines=300)
    ids = TOK.encode(text)
    assert len(ids) == len(text) and max(ids) < TOK.vocab_size
    assert TOK.decode(ids) == text
    assert TOK.decode(torch.tensor(ids)) == text  # tensors decode too
    assert TOK.decode([TOK.eos_id]) == "\n"


@pytest.mark.parametrize("bad", ["Hello", "fox!", "caf\u00e9", "tab\there"])
def test_unknown_characters_are_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="outside the tokenizer's alphabet"):
        TOK.encode(bad)


def test_tokenizer_argument_errors():
    with pytest.raises(ValueError, match="text must be a string"):
        TOK.encode(["a"])
    with pytest.raises(ValueError, match="ids must lie in"):
        TOK.decode([0, TOK.vocab_size])
    with pytest.raises(ValueError, match="eos must be one of chars"):
        gpt.CharTokenizer("abc", eos="\n")
    with pytest.raises(ValueError, match="at least two distinct"):
        gpt.CharTokenizer("aaa", eos="a")


def test_model_argument_errors():
    with pytest.raises(ValueError, match="n_embd must be divisible by n_head"):
        gpt.GPT(10, n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="n_layer"):
        gpt.GPT(10, n_layer=0)
    model = tiny_model(block_size=8)
    with pytest.raises(ValueError, match="block_size"):
        model(torch.zeros(1, 9, dtype=torch.long))


def test_initial_loss_is_near_a_uniform_guess():
    # N(0, 0.02) initialisation: the untrained model predicts almost uniformly, loss ~ log V
    model = tiny_model()
    x, y = torch.randint(TOK.vocab_size, (2, 4, 32))
    loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
    assert abs(loss.item() - math.log(TOK.vocab_size)) < 0.1  # PyTorch's N(0, 1) default: ~40


def test_cached_forward_equals_full_forward_chunk_by_chunk():
    model = tiny_model()
    x = torch.randint(TOK.vocab_size, (3, 20))
    full = model(x)
    cache = model.new_cache()
    pieces = [
        model(x[:, :7], cache),
        model(x[:, 7:8], cache),
        model(x[:, 8:15], cache),
        model(x[:, 15:], cache),
    ]
    assert torch.allclose(torch.cat(pieces, dim=1), full, atol=1e-5)


@pytest.mark.parametrize("eos", [True, False])
def test_kv_cache_generation_equals_full_recomputation(eos):
    model = tiny_model()
    prompts = torch.tensor([TOK.encode(corpus.pad_prompt(p)) for p in corpus.PROMPTS[:5]])
    kwargs = {"max_new_tokens": 20, "temperature": 1.3, "eos_id": TOK.eos_id if eos else None}
    cached = gpt.generate(
        model, prompts, use_cache=True, generator=torch.Generator().manual_seed(1), **kwargs
    )
    full = gpt.generate(
        model, prompts, use_cache=False, generator=torch.Generator().manual_seed(1), **kwargs
    )
    assert torch.equal(cached[0], full[0]) and torch.equal(cached[1], full[1])


def test_generate_marks_lengths_and_pads_after_the_end():
    torch.manual_seed(0)
    model = tiny_model()
    with torch.no_grad():  # make the newline likely so that some rows end early
        model.lm_head.weight[TOK.eos_id] += 0.15 * model.ln_f.weight.sign()
    prompts = torch.tensor([TOK.encode(corpus.pad_prompt("describe the cat:"))] * 64)
    tokens, lengths = gpt.generate(model, prompts, 24, eos_id=TOK.eos_id)
    assert tokens.shape == (64, 24) and lengths.shape == (64,)
    assert (lengths < 24).any()
    for row, n in zip(tokens.tolist(), lengths.tolist(), strict=True):
        if TOK.eos_id in row:
            assert n == row.index(TOK.eos_id) + 1  # length includes the first newline
            assert all(t == TOK.eos_id for t in row[n:])  # padding after it
        else:
            assert n == 24
    _, no_eos_lengths = gpt.generate(model, prompts[:3], 5)
    assert no_eos_lengths.tolist() == [5, 5, 5]


def test_generate_argument_errors():
    model = tiny_model(block_size=30)
    prompt = torch.tensor([TOK.encode(corpus.pad_prompt("describe the cat:"))])
    with pytest.raises(ValueError, match="exceeds the model's block_size"):
        gpt.generate(model, prompt, 10)
    with pytest.raises(ValueError, match="max_new_tokens"):
        gpt.generate(model, prompt, 0)
    with pytest.raises(ValueError, match="temperature"):
        gpt.generate(model, prompt, 3, temperature=0.0)
    with pytest.raises(ValueError, match="idx must be an integer tensor"):
        gpt.generate(model, prompt.float(), 3)
    with pytest.raises(ValueError, match="idx must have shape"):
        gpt.generate(model, prompt[0], 3)
    with pytest.raises(ValueError, match="idx must hold ids"):
        gpt.generate(model, prompt + 100, 3)


def test_response_logprobs_match_a_naive_loop():
    model = tiny_model()
    P = 6
    seq = torch.randint(TOK.vocab_size, (3, P + 9))
    fast = gpt.response_logprobs(model, seq, P)  # (3, 9)
    assert fast.shape == (3, 9)
    for b in range(3):
        for t in range(9):
            prefix = seq[b : b + 1, : P + t]  # the prompt and the response tokens before t
            logits = model(prefix)[0, -1]
            naive = torch.log(torch.softmax(logits, -1)[seq[b, P + t]])
            assert fast[b, t].item() == pytest.approx(naive.item(), abs=1e-5)


def test_response_logprobs_argument_errors():
    model = tiny_model()
    seq = torch.randint(TOK.vocab_size, (2, 10))
    with pytest.raises(ValueError, match="prompt_len must be shorter"):
        gpt.response_logprobs(model, seq, 10)
    with pytest.raises(ValueError, match="prompt_len"):
        gpt.response_logprobs(model, seq, 0)


def test_response_mask():
    mask = gpt.response_mask(torch.tensor([1, 3, 0]), 4)
    assert mask.tolist() == [[1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]]


def test_entropy_matches_a_naive_sum_and_its_limits():
    torch.manual_seed(0)
    logits = torch.randn(3, 4, TOK.vocab_size) * 3
    got = gpt.entropy(logits)  # (3, 4)
    assert got.shape == (3, 4)
    for b in range(3):
        for t in range(4):
            p = torch.softmax(logits[b, t].double(), 0)
            want = -sum(pi * math.log(pi) for pi in p.tolist() if pi > 0)
            assert got[b, t].item() == pytest.approx(want, abs=1e-5)
    uniform = gpt.entropy(torch.zeros(2, TOK.vocab_size))
    assert torch.allclose(uniform, torch.full((2,), math.log(TOK.vocab_size)))
    certain = torch.full((TOK.vocab_size,), -1e4)
    certain[3] = 1e4
    assert gpt.entropy(certain).item() == pytest.approx(0.0, abs=1e-6)
    assert gpt.entropy(logits.bfloat16()).dtype == torch.float32  # computed in full precision


def test_residual_projections_start_smaller_than_the_other_weights():
    """nanoGPT's initialisation: N(0, 0.02) weights, N(0, 0.02 / sqrt(2 n_layer)) on the
    projections back onto the residual stream (attn.c_proj and mlp.c_proj, found by name)."""
    torch.manual_seed(0)
    model = gpt.GPT(vocab_size=30, block_size=16, n_layer=2, n_head=2, n_embd=64)
    stds = {name: p.std().item() for name, p in model.named_parameters() if p.dim() == 2}
    projections = [n for n in stds if n.endswith("c_proj.weight")]
    assert len(projections) == 4  # two per block
    for name, std in stds.items():
        want = 0.02 / math.sqrt(4) if name in projections else 0.02
        assert std == pytest.approx(want, rel=0.1), name
