"""The corpus, the labeler, the comparison data, the reward model, the per-token rewards and
the beta explorer (its pure functions and the widget itself, without a browser)."""

import itertools

import matplotlib
import numpy as np
import pytest
import torch

from helpers import corpus, gpt, losses, rlhf

TOK = gpt.CharTokenizer(corpus.ALPHABET)
PROMPT = "tell me about the fox:"


# ------------------------------------------------------------------ corpus
def test_corpus_is_deterministic_small_and_inside_the_alphabet_and_vocabulary():
    text = corpus.pretraining_text()
    assert text == corpus.pretraining_text()
    assert 50_000 < len(text) < 400_000  # a few hundred KB at most
    assert set(text) <= set(corpus.ALPHABET)
    for line in text.splitlines()[:500]:
        topic, sentence = line.split(": ")
        assert topic in corpus.NOUNS and topic in sentence.split()
        assert set(sentence.rstrip(".").split()) <= corpus.VOCABULARY


def test_prompts_and_demonstrations():
    assert set(corpus.TRAIN_PROMPTS).isdisjoint(corpus.TEST_PROMPTS)
    assert len(corpus.TRAIN_PROMPTS) + len(corpus.TEST_PROMPTS) == len(corpus.PROMPTS)
    demos = corpus.demonstrations(200)
    assert demos == corpus.demonstrations(200)
    terse = 0
    for prompt, response in demos:
        assert prompt in corpus.TRAIN_PROMPTS
        assert response.startswith(" ") and response.endswith(".\n")
        assert corpus.subject_of(prompt) in response.replace(".", " ").split()
        facets = rlhf.gold_facets(prompt, response)
        assert facets["made_up_words"] == 0
        terse += facets["unfinished"]  # only the fragments ("the brave fox.") are unfinished
        assert facets["unfinished"] == (len(response.split()) < 4)
    assert 10 < terse < 60  # about 15%
    assert all(len(r.split()) >= 4 for _, r in corpus.demonstrations(50, terse=0.0))
    assert len(max((r for _, r in demos), key=len)) <= 40  # fits max_new_tokens in notebook 07


def test_corpus_argument_errors():
    assert corpus.subject_of("describe the cow:") == "cow"
    assert corpus.pad_prompt("describe the cow:") == "describe the cow:".rjust(corpus.PROMPT_LEN)
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        corpus.subject_of("   ")
    with pytest.raises(ValueError, match="prompt must end with one of the animals"):
        corpus.subject_of("tell me about the moon:")
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        corpus.pad_prompt("")
    with pytest.raises(ValueError, match="at most"):
        corpus.pad_prompt("tell me a lot more about the fox:")
    with pytest.raises(ValueError, match="n must be a positive integer"):
        corpus.demonstrations(0)
    with pytest.raises(ValueError, match="terse must be a fraction"):
        corpus.demonstrations(5, terse=1.5)


# ------------------------------------------------------------------ the labeler
@pytest.mark.parametrize(
    ("response", "facets", "score"),
    [
        (" the fox is kind and brave.\n", (2, 0, 0, 0, 0), 2),
        (" the happy fox is kind and brave.\n", (3, 0, 0, 0, 0), 2),  # at most two kind words count
        (" the fox is very sad.\n", (0, 1, 0, 0, 0), -1),
        (" the fox is very hapy.\n", (0, 0, 1, 0, 0), -1),  # a made-up word
        (" the fox is glad and glad.\n", (2, 0, 0, 1, 0), 1),  # a repeated word
        (" the fox is kind and brave", (2, 0, 0, 0, 1), 1),  # no end
        (" the fox is kind. the fox.\n", (1, 0, 0, 1, 1), -1),  # two sentences
        (" a sweet.\n", (1, 0, 0, 0, 1), 0),  # too short to be an answer
        ("\n", (0, 0, 0, 0, 1), -1),
    ],
)
def test_gold_facets_and_score(response, facets, score):
    assert tuple(rlhf.gold_facets(PROMPT, response).values()) == facets
    assert rlhf.gold_score(PROMPT, response) == score


def test_gold_errors():
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        rlhf.gold_score("", " the fox.\n")
    with pytest.raises(ValueError, match="response must be a string"):
        rlhf.gold_score(PROMPT, None)


# ------------------------------------------------------------------ comparison pairs
def test_comparison_pairs_are_all_k_choose_2_pairs_with_the_winner_first():
    scores = [0.5, 2.0, -1.0, 1.0]
    chosen, rejected = rlhf.comparison_pairs(scores)
    assert len(chosen) == 6
    assert {frozenset(p) for p in zip(chosen, rejected, strict=True)} == {
        frozenset(p) for p in itertools.combinations(range(4), 2)
    }
    assert all(scores[c] > scores[r] for c, r in zip(chosen, rejected, strict=True))


def test_comparison_pairs_drop_ties():
    assert rlhf.comparison_pairs([1, 1, 1]) == ([], [])
    chosen, rejected = rlhf.comparison_pairs(torch.tensor([1.0, 0.0, 1.0]))
    assert sorted(zip(chosen, rejected, strict=True)) == [(0, 1), (2, 1)]


def test_comparison_pairs_errors():
    with pytest.raises(ValueError, match="K >= 2"):
        rlhf.comparison_pairs([1.0])
    with pytest.raises(ValueError, match="finite"):
        rlhf.comparison_pairs([1.0, float("nan")])
    with pytest.raises(ValueError, match="must not be empty"):
        rlhf.comparison_pairs([])


def test_preference_loss_on_pairs_rewards_agreeing_with_the_labeler():
    responses = [
        " the fox is kind and brave.\n",
        " the fox is very sad.\n",
        " the fox naps.\n",
        " the fox is very hapy.\n",
    ]
    gold = [rlhf.gold_score(PROMPT, r) for r in responses]
    chosen, rejected = map(torch.tensor, rlhf.comparison_pairs(gold))
    agree, disagree = torch.tensor(gold, dtype=torch.float), -torch.tensor(gold, dtype=torch.float)
    assert losses.preference_loss(agree[chosen], agree[rejected]) < np.log(2)
    assert losses.preference_loss(disagree[chosen], disagree[rejected]) > np.log(2)


def test_comparison_batch_keeps_every_comparison_of_a_prompt_in_its_batch():
    K = 4
    gold = [[1, 0, 2, -1], [0, 0, 0, 0], [2, 2, 1, 0]]  # three prompts, K responses each
    pairs = [rlhf.comparison_pairs(g) for g in gold]
    rows, chosen, rejected = rlhf.comparison_batch(pairs, torch.tensor([2, 0, 1]), K)
    assert rows.tolist() == [8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7]
    flat = [g for p in (2, 0, 1) for g in gold[p]]  # gold of each row, in batch order
    assert len(chosen) == len(rejected) == 5 + 6 + 0  # ties (prompt 1, and 2 vs 2) compare nothing
    for c, r in zip(chosen.tolist(), rejected.tolist(), strict=True):
        assert c // K == r // K  # both responses of a comparison answer the same prompt
        assert flat[c] > flat[r]
    want = {frozenset((4 + i, 4 + j)) for i, j in itertools.combinations(range(K), 2)}
    got = {frozenset(p) for p in zip(chosen.tolist(), rejected.tolist(), strict=True)}
    assert want <= got  # prompt 0 (all scores distinct): all K-choose-2 pairs


def test_comparison_batch_errors():
    pairs = [rlhf.comparison_pairs([1, 0])]
    with pytest.raises(ValueError, match="K must be an integer >= 2"):
        rlhf.comparison_batch(pairs, [0], 1)
    with pytest.raises(ValueError, match="prompt_ids must be"):
        rlhf.comparison_batch(pairs, [1], 2)
    with pytest.raises(ValueError, match="prompt_ids must be"):
        rlhf.comparison_batch(pairs, [], 2)
    with pytest.raises(ValueError, match=r"pairs\[0\] must index the K = 2"):
        rlhf.comparison_batch([([3], [0])], [0], 2)


# ------------------------------------------------------------------ encoding
def test_encode_prompts_and_responses_round_trip():
    obs = rlhf.encode_prompts(TOK, ["describe the cat:", PROMPT])
    assert obs.shape == (2, corpus.PROMPT_LEN)
    assert TOK.decode(obs[0]) == corpus.pad_prompt("describe the cat:")
    responses = [" the cat naps.\n", " a fox"]
    tokens, lengths = rlhf.encode_responses(TOK, responses, 16)
    assert tokens.shape == (2, 16) and lengths.tolist() == [15, 6]
    assert (tokens[1, 6:] == TOK.eos_id).all()
    assert rlhf.decode_responses(TOK, tokens, lengths) == responses


def test_encoding_errors():
    with pytest.raises(ValueError, match="prompts must be a non-empty list"):
        rlhf.encode_prompts(TOK, [])
    with pytest.raises(ValueError, match="prompts must be a non-empty list"):
        rlhf.encode_prompts(TOK, PROMPT)
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        rlhf.encode_prompts(TOK, [""])
    with pytest.raises(ValueError, match="outside the tokenizer's alphabet"):
        rlhf.encode_prompts(TOK, ["Tell me about the FOX:"])
    with pytest.raises(ValueError, match="1 to max_len=4"):
        rlhf.encode_responses(TOK, [" too long\n"], 4)
    with pytest.raises(ValueError, match="1 to max_len"):
        rlhf.encode_responses(TOK, [""], 4)


# ------------------------------------------------------------------ reward model
def make_reward_model():
    torch.manual_seed(0)
    body = gpt.GPT(TOK.vocab_size, block_size=40, n_layer=1, n_head=2, n_embd=16)
    return rlhf.RewardModel(body).eval()


def test_reward_model_reads_the_head_at_the_last_response_token():
    rm = make_reward_model()
    seq = torch.randint(TOK.vocab_size, (3, 30))
    last = torch.tensor([29, 10, 24])
    scores = rm.score(seq, last)
    full = rm(seq)  # (3, 30)
    assert torch.allclose(scores, full[torch.arange(3), last])
    padded = seq.clone()
    padded[1, 11:] = TOK.eos_id  # what comes after the last token cannot matter (causal attention)
    assert torch.allclose(rm.score(padded, last)[1], scores[1])


def test_reward_model_errors():
    with pytest.raises(ValueError, match="body must be a helpers.gpt.GPT"):
        rlhf.RewardModel(torch.nn.Linear(2, 2))
    rm = make_reward_model()
    seq = torch.randint(TOK.vocab_size, (2, 10))
    with pytest.raises(ValueError, match="last must hold one position"):
        rm.score(seq, torch.tensor([3, 10]))
    with pytest.raises(ValueError, match="last must hold one position"):
        rm.score(seq, torch.tensor([3]))


# ------------------------------------------------------------------ per-token rewards
def test_token_rewards_match_a_naive_loop():
    torch.manual_seed(0)
    logprobs, ref = -torch.rand(3, 5), -torch.rand(3, 5)
    scores, lengths = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([5, 1, 3])
    got = rlhf.token_rewards(scores, logprobs, ref, lengths, beta=0.2)
    for b in range(3):
        for t in range(5):
            want = 0.0
            if t < lengths[b]:
                want = -0.2 * (logprobs[b, t] - ref[b, t]).item()
                if t == lengths[b] - 1:
                    want += scores[b].item()
            assert got[b, t].item() == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("beta", [-0.1, float("nan"), float("inf"), None])
def test_token_rewards_reject_a_bad_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        rlhf.token_rewards(
            torch.zeros(2), torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor([1, 3]), beta
        )


def test_token_rewards_shape_errors():
    z = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="lengths must lie in"):
        rlhf.token_rewards(torch.zeros(2), z, z, torch.tensor([0, 3]), 0.1)
    with pytest.raises(ValueError, match="scores and lengths must have shape"):
        rlhf.token_rewards(torch.zeros(3), z, z, torch.tensor([1, 3]), 0.1)
    with pytest.raises(ValueError, match="same shape"):
        rlhf.token_rewards(torch.zeros(2), z, torch.zeros(2, 4), torch.tensor([1, 3]), 0.1)
    with pytest.raises(ValueError, match="finite"):
        rlhf.token_rewards(torch.tensor([1.0, float("nan")]), z, z, torch.tensor([1, 3]), 0.1)


# ------------------------------------------------------------------ the beta explorer
def fake_log(beta, n=12):
    it = np.arange(n)
    drift = 1.0 / (beta + 0.05)
    return {
        "rm": list(0.1 * it),
        "gold": list(0.1 * it - 0.02 * drift * it),
        "kl": list(0.3 * drift * it),
    }


RUNS = {0.1: fake_log(0.1), 0.0: fake_log(0.0)}


def test_run_summary():
    line = rlhf.run_summary(RUNS, 0.1)
    assert line.startswith("beta = 0.1, last 5 iterations: RM reward +0.90")
    assert "not trained yet" in rlhf.run_summary(RUNS, 0.3)
    with pytest.raises(ValueError, match="beta"):
        rlhf.run_summary(RUNS, -1)


def test_hacking_figure_highlights_the_chosen_beta():
    fig = rlhf.hacking_figure(RUNS, beta=0.0, sft_gold=0.1)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax_kl, ax_it = fig.axes[:2]
    widths = {line.get_label(): line.get_linewidth() for line in ax_kl.get_lines()}
    assert widths["beta=0: RM reward (proxy)"] > widths["beta=0.1: RM reward (proxy)"]
    assert ax_it.get_title() == "beta = 0"
    assert "press the button" in rlhf.hacking_figure(RUNS, beta=0.3).axes[1].get_title()


def test_hacking_figure_errors():
    with pytest.raises(ValueError, match="runs must map"):
        rlhf.hacking_figure({})
    with pytest.raises(ValueError, match="'kl'"):
        rlhf.hacking_figure({0.1: {"rm": [1.0], "gold": [1.0]}})


def test_beta_explorer_redraws_and_trains_on_the_button():
    runs = dict(RUNS)
    calls = []

    def train(beta):
        calls.append(beta)
        return fake_log(beta)

    box = rlhf.beta_explorer(runs, train, betas=(0.0, 0.1, 0.3), beta=0.0)
    (slider, button), summary, image, _ = box.children[0].children, *box.children[1:]
    assert slider.description == "beta"
    first_png, first_text = image.value, summary.value
    slider.value = 0.1  # a trained run: redraws at once, trains nothing
    assert image.value != first_png and summary.value != first_text and calls == []
    slider.value = 0.3
    assert "not trained yet" in summary.value
    button.click()  # trains beta = 0.3 and draws it
    assert calls == [0.3] and 0.3 in runs
    assert summary.value.startswith("beta = 0.3, last 5 iterations")
