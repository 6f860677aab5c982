"""The corpus, the labeler (every facet, relevance included), the measures of a policy's
answers (on topic, distinct, best-of-n's KL against the exact KL), the comparison data, the
reward model, the per-token rewards and the world file that notebook 07 leaves to 08."""

import itertools
import math

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
    # held out: one whole phrasing, with every animal; every animal is also asked about in training
    assert corpus.TEST_PROMPTS == tuple(
        corpus.HELDOUT_TEMPLATE.format(noun=n) for n in corpus.NOUNS
    )
    assert {corpus.subject_of(p) for p in corpus.TRAIN_PROMPTS} == set(corpus.NOUNS)
    heldout_start = corpus.HELDOUT_TEMPLATE.split("{")[0]
    assert not any(p.startswith(heldout_start) for p in corpus.TRAIN_PROMPTS)
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
    [  # facets: kind, unkind, made-up, repeats, unfinished, off topic
        (" the fox is kind and brave.\n", (2, 0, 0, 0, 0, 0), 2),
        (" the happy fox is kind and brave.\n", (3, 0, 0, 0, 0, 0), 2),  # two kind words count
        (" the fox is very sad.\n", (0, 1, 0, 0, 0, 0), -1),
        (" the fox is very hapy.\n", (0, 0, 1, 0, 0, 0), -1),  # a made-up word
        (" the fox is glad and glad.\n", (2, 0, 0, 1, 0, 0), 1),  # a repeated word
        (" the fox is kind and brave", (2, 0, 0, 0, 1, 0), 1),  # no end
        (" the fox is kind. the fox.\n", (1, 0, 0, 1, 1, 0), -1),  # two sentences
        (" a sweet fox.\n", (1, 0, 0, 0, 1, 0), 0),  # too short to be an answer
        # relevance: the prompt asks about the fox
        (" the cat is kind and brave.\n", (2, 0, 0, 0, 0, 1), 0),  # about another animal
        (" the cat runs in the park.\n", (0, 0, 0, 0, 0, 1), -2),
        (" the fox plays with the cat.\n", (0, 0, 0, 0, 0, 0), 0),  # the fox is there: on topic
        (" the cat plays with the fox.\n", (0, 0, 0, 0, 0, 0), 0),
        (" the fx is very happy.\n", (1, 0, 1, 0, 0, 1), -2),  # misspelled: made up and off topic
        (" a sweet.\n", (1, 0, 0, 0, 1, 1), -2),  # about no animal
        ("\n", (0, 0, 0, 0, 1, 1), -3),
    ],
)
def test_gold_facets_and_score(response, facets, score):
    assert tuple(rlhf.gold_facets(PROMPT, response)) == rlhf.GOLD_FACETS
    assert tuple(rlhf.gold_facets(PROMPT, response).values()) == facets
    assert rlhf.gold_score(PROMPT, response) == score
    assert rlhf.on_topic(PROMPT, response) == (facets[-1] == 0)


def test_relevance_depends_on_the_prompt_and_costs_two():
    answer = " the cat is kind and brave.\n"
    assert rlhf.gold_score("describe the cat:", answer) == 2
    assert rlhf.gold_score("describe the fox:", answer) == 2 - rlhf.OFF_TOPIC_COST == 0
    assert rlhf.on_topic("describe the cat:", answer)
    assert not rlhf.on_topic("describe the fox:", answer)
    assert not rlhf.on_topic("describe the cat:", " the cats is kind.\n")  # a whole word only


def test_gold_errors():
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        rlhf.gold_score("", " the fox.\n")
    with pytest.raises(ValueError, match="response must be a string"):
        rlhf.gold_score(PROMPT, None)


def test_relevance_errors():
    with pytest.raises(ValueError, match="prompt must end with one of the animals"):
        rlhf.on_topic("describe the moon:", " the moon.\n")
    with pytest.raises(ValueError, match="response must be a string"):
        rlhf.answer_form(PROMPT, 3)


# ------------------------------------------------------------------ measures of a policy's answers
def test_distinct_share_counts_answers_up_to_the_animal():
    prompts = ["describe the fox:", "describe the cat:", "tell me about the cow:", PROMPT]
    collapsed = [
        " the fox is very happy.\n",
        " the cat is very happy.\n",
        " the cow is very happy.\n",
        " the fox is very happy.\n",
    ]
    assert rlhf.answer_form(prompts[1], collapsed[1]) == "the _ is very happy."
    assert rlhf.distinct_share(prompts, collapsed) == 1 / 4  # one answer, four animals
    varied = [
        " the fox naps.\n",
        " the cat is very happy.\n",
        " the cow runs at home.\n",
        " the fox is very happy.\n",
    ]
    assert rlhf.distinct_share(prompts, varied) == 3 / 4  # the last two have one form
    assert rlhf.distinct_share(prompts[:1], varied[:1]) == 1.0
    # an answer about another animal keeps that animal: it is a different answer
    assert rlhf.distinct_share(prompts[:2], [" the dog naps.\n", " the dog naps.\n"]) == 0.5
    assert rlhf.distinct_share(prompts[:2], [" the fox naps.\n", " the fox naps.\n"]) == 1.0


def test_distinct_share_errors():
    with pytest.raises(ValueError, match="of one length"):
        rlhf.distinct_share([PROMPT], [" a\n", " b\n"])
    with pytest.raises(ValueError, match="non-empty"):
        rlhf.distinct_share([], [])
    with pytest.raises(ValueError, match="not one string"):
        rlhf.distinct_share(PROMPT, " the fox.\n")


def exact_best_of_n_kl(probs, n):
    """KL(best-of-n || pi) of a categorical pi whose outcomes have distinct rewards, listed in
    increasing order of reward: best-of-n picks outcome i with F_i^n - F_(i-1)^n."""
    probs = np.asarray(probs, dtype=float)
    F = np.concatenate([[0.0], np.cumsum(probs)])
    bon = F[1:] ** n - F[:-1] ** n
    keep = bon > 0
    return float(np.sum(bon[keep] * np.log(bon[keep] / probs[keep])))


@pytest.mark.parametrize("n", [1, 2, 4, 16, 64])
def test_best_of_n_kl_is_log_n_minus_n_minus_1_over_n(n):
    want = math.log(n) - (n - 1) / n
    assert rlhf.best_of_n_kl(n) == pytest.approx(want, abs=1e-12)
    # exact on a fine categorical (many outcomes, no ties), an upper bound on a coarse one
    M = 200_000
    assert exact_best_of_n_kl(np.full(M, 1 / M), n) == pytest.approx(want, abs=2e-3)
    rng = np.random.default_rng(n)
    for coarse in (np.full(5, 0.2), rng.dirichlet(np.ones(8))):
        assert exact_best_of_n_kl(coarse, n) <= want + 1e-12


def test_best_of_n_kl_against_sampling():
    # best-of-4 on 1,000 equally likely answers with distinct rewards, by simulation
    rng = np.random.default_rng(0)
    M, n = 1000, 4
    picks = rng.integers(M, size=(200_000, n)).max(1)
    freq = np.bincount(picks, minlength=M) / len(picks)
    kl = np.sum(freq[freq > 0] * np.log(freq[freq > 0] * M))
    assert kl == pytest.approx(rlhf.best_of_n_kl(n), abs=0.02)


@pytest.mark.parametrize("n", [0, -1, 2.5, True, None])
def test_best_of_n_kl_rejects_a_bad_n(n):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        rlhf.best_of_n_kl(n)


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
    with pytest.raises(ValueError, match="per_prompt must be an integer >= 2"):
        rlhf.comparison_batch(pairs, [0], 1)
    with pytest.raises(ValueError, match="prompt_ids must be"):
        rlhf.comparison_batch(pairs, [1], 2)
    with pytest.raises(ValueError, match="prompt_ids must be"):
        rlhf.comparison_batch(pairs, [], 2)
    with pytest.raises(ValueError, match=r"pairs\[0\] must index the per_prompt = 2"):
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


def test_reward_model_averages_the_head_over_the_response_tokens():
    rm = make_reward_model()
    P = 12
    seq = torch.randint(TOK.vocab_size, (3, 30))
    lengths = torch.tensor([18, 1, 7])
    scores = rm.score(seq, P, lengths)
    full = rm(seq)  # (3, 30): the head at every position
    for b in range(3):
        assert scores[b].item() == pytest.approx(
            full[b, P : P + lengths[b]].mean().item(), abs=1e-6
        )
    padded = seq.clone()
    padded[2, P + 7 :] = TOK.eos_id  # after the response: cannot matter (causal attention)
    assert torch.allclose(rm.score(padded, P, lengths)[2], scores[2])
    changed = seq.clone()
    changed[2, 0] = (seq[2, 0] + 1) % TOK.vocab_size  # the prompt does matter
    assert not torch.allclose(rm.score(changed, P, lengths)[2], scores[2])


def test_reward_model_errors():
    with pytest.raises(ValueError, match="body must be a helpers.gpt.GPT"):
        rlhf.RewardModel(torch.nn.Linear(2, 2))
    rm = make_reward_model()
    seq = torch.randint(TOK.vocab_size, (2, 10))
    with pytest.raises(ValueError, match="lengths must hold one response length in"):
        rm.score(seq, 4, torch.tensor([3, 7]))  # 4 + 7 > 10
    with pytest.raises(ValueError, match="lengths must hold one response length in"):
        rm.score(seq, 4, torch.tensor([3]))
    with pytest.raises(ValueError, match="lengths must hold one response length in"):
        rm.score(seq, 4, torch.tensor([0, 2]))
    with pytest.raises(ValueError, match="prompt_len must be an integer"):
        rm.score(seq, 0, torch.tensor([1, 2]))


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


# ------------------------------------------------------------------ the world file
