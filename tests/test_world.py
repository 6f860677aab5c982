"""helpers.world: notebook 08 loads notebook 07's saved world, or runs notebook 07 to make it.

The "make it" path is tested for real (a child process, a fresh kernel) on a stand-in for
notebook 07 that saves a tiny world in a second, not on notebook 07 itself (minutes)."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from helpers import gpt, rlhf, world

TOK = gpt.CharTokenizer("\n .:abcdefghijklmnopqrstuvwxyz")
PROMPT = "tell me about the fox:"
CONFIG = {"vocab_size": TOK.vocab_size, "block_size": 40, "n_layer": 1, "n_head": 2, "n_embd": 16}


def tiny_world(seed):
    torch.manual_seed(seed)
    sft = gpt.GPT(**CONFIG)
    rm = rlhf.RewardModel(gpt.GPT(**CONFIG))
    return {
        "seed": seed,
        "config": CONFIG,
        "sft": sft.state_dict(),
        "reward_model": rm.state_dict(),
    }


SAVE_CELL = """
import torch
from helpers import gpt, rlhf, world
config = {config!r}
torch.manual_seed(SEED)
sft = gpt.GPT(**config)
rm = rlhf.RewardModel(gpt.GPT(**config))
world.save({{"seed": SEED, "config": config, "sft": sft.state_dict(),
                                        "reward_model": rm.state_dict(), "note": "made by the stand-in"}})
"""


def stand_in_07(folder, body=None):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("SEED = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body or SAVE_CELL.format(config=CONFIG))]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / world.NOTEBOOK_07)


def test_a_saved_world_is_loaded_and_says_so(tmp_path):
    world.save(tiny_world(4), tmp_path / "cache")
    w, how = world.load_or_build(4, folder=tmp_path)
    assert how.startswith("loaded cache/07_world_seed4.pt, written by notebook 07 with SEED = 4")
    assert isinstance(w["sft"], gpt.GPT) and not any(p.requires_grad for p in w["sft"].parameters())
    assert isinstance(w["reward_model"], rlhf.RewardModel)


def test_a_missing_world_is_made_by_running_notebook_07_with_the_seed(tmp_path):
    stand_in_07(tmp_path)
    w, how = world.load_or_build(2, folder=tmp_path)
    assert "no cache/07_world_seed2.pt yet: ran notebook 07 with SEED = 2" in how
    assert w["seed"] == 2 and w["note"] == "made by the stand-in"
    assert (tmp_path / "cache" / "07_world_seed2.pt").is_file()
    again, how = world.load_or_build(2, folder=tmp_path)  # the second time it is loaded
    assert how.startswith("loaded") and torch.equal(again["sft"].wte.weight, w["sft"].wte.weight)


def test_a_failing_assert_of_07_is_an_error_and_keeps_no_world(tmp_path):
    stand_in_07(tmp_path)
    nb = nbformat.read(tmp_path / world.NOTEBOOK_07, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell("assert SEED != 1, 'PPO should raise the gold'"))
    nb.cells.append(nbformat.v4.new_code_cell("assert SEED != 3, 'a check after the save'"))
    nbformat.write(nb, tmp_path / world.NOTEBOOK_07)
    with pytest.raises(RuntimeError, match="notebook 07 failed with SEED = 1, so notebook 08 has"):
        world.load_or_build(1, folder=tmp_path)
    with pytest.raises(RuntimeError, match="cell 2/4: AssertionError: PPO should raise the gold"):
        world.build(1, folder=tmp_path)
    assert not (tmp_path / "cache" / "07_world_seed1.pt").exists()  # its save cell never ran
    with pytest.raises(RuntimeError, match="cell 4/4: AssertionError: a check after the save"):
        world.load_or_build(3, folder=tmp_path)
    assert not (tmp_path / "cache" / "07_world_seed3.pt").exists()  # saved, then removed
    w, how = world.load_or_build(2, folder=tmp_path)  # a seed on which 07 holds
    assert w["seed"] == 2 and "every assert of 07 holding" in how


def test_a_notebook_07_that_saves_no_world_raises_with_its_output(tmp_path):
    stand_in_07(tmp_path, body="raise ValueError('the reward model should agree')")
    with pytest.raises(
        RuntimeError, match="notebook 07 failed with SEED = 1.*the reward model should agree"
    ):
        world.build(1, folder=tmp_path)


def test_world_errors(tmp_path):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        world.load_or_build(-1, folder=tmp_path)
    with pytest.raises(ValueError, match="folder must hold 07_rlhf_tiny_gpt.ipynb"):
        world.run_notebook_07(0, folder=tmp_path)
    world.save(tiny_world(3), tmp_path / "cache").rename(world.path(5, tmp_path / "cache"))
    with pytest.raises(ValueError, match="holds the world of SEED = 3, not 5"):
        world.load_or_build(5, folder=tmp_path)


def test_the_default_folder_is_where_notebook_07_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no notebook 07 here: the repository's notebooks folder
    assert (world.notebooks_folder() / world.NOTEBOOK_07).is_file()
    stand_in_07(tmp_path)  # a folder with its own notebook 07 (a translated copy of the course)
    assert world.notebooks_folder() == tmp_path


def test_world_round_trips_with_weights_only(tmp_path):
    torch.manual_seed(0)
    config = {
        "vocab_size": TOK.vocab_size,
        "block_size": 40,
        "n_layer": 1,
        "n_head": 2,
        "n_embd": 16,
        "max_new_tokens": 16,
        "beta": 0.15,
    }
    sft = gpt.GPT(**{k: config[k] for k in world.MODEL_KEYS})
    rm = rlhf.RewardModel(gpt.GPT(**{k: config[k] for k in world.MODEL_KEYS}))
    pairs = [rlhf.comparison_pairs([1, 0, 2])]
    saved = {
        "seed": 3,
        "config": config,
        "sft": sft.state_dict(),
        "reward_model": rm.state_dict(),
        "rm_norm": {"mean": np.float64(0.5), "std": 2.0},  # numpy numbers are stored as floats
        "comparisons": {
            "train": {"prompts": [PROMPT] * 3, "pairs": pairs, "seq": torch.zeros(3, 5)}
        },
        "ppo_log": {"gold": [np.float64(0.1), 0.2]},
    }
    # a notebook runs in its own folder (notebooks/, or notebooks/zh/ for a translation):
    # by default its world goes to cache/ there, which .gitignore keeps out of git
    assert world.path(7) == Path("cache") / "07_world_seed7.pt"
    path = world.save(saved, tmp_path / "cache")
    assert path == tmp_path / "cache" / "07_world_seed3.pt" and path.is_file()
    back = world.load(path)
    seq = torch.randint(TOK.vocab_size, (2, 12))
    assert torch.equal(back["sft"](seq), sft.eval()(seq))
    assert torch.equal(
        back["reward_model"].score(seq, 4, torch.tensor([3, 8])),
        rm.eval().score(seq, 4, torch.tensor([3, 8])),
    )
    assert not any(p.requires_grad for p in back["sft"].parameters())
    assert back["rm_norm"] == {"mean": 0.5, "std": 2.0} and type(back["rm_norm"]["mean"]) is float
    assert back["comparisons"]["train"]["pairs"] == pairs
    assert back["ppo_log"]["gold"] == [0.1, 0.2] and back["config"] == config


def test_world_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 07"):
        world.load(tmp_path / "nothing.pt")
    with pytest.raises(ValueError, match="world must hold reward_model"):
        world.save({"seed": 0, "config": dict.fromkeys(world.MODEL_KEYS, 1), "sft": {}}, tmp_path)
    with pytest.raises(ValueError, match=r"config\['n_embd'\]"):
        config = dict.fromkeys(world.MODEL_KEYS[:-1], 1)
        world.save({"seed": 0, "config": config, "sft": {}, "reward_model": {}}, tmp_path)
    with pytest.raises(ValueError, match="world entries must be"):
        world.save(
            {
                "seed": 0,
                "config": dict.fromkeys(world.MODEL_KEYS, 1),
                "sft": {},
                "reward_model": {},
                "x": object(),
            },
            tmp_path / "cache",
        )
    assert not (tmp_path / "cache").exists(), "a world that cannot be saved leaves nothing behind"
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        world.path(-1)
    old = tiny_world(0)  # a world saved before the MLP's layers had names
    old["sft"] = {k.replace("mlp.c_fc", "mlp.0"): v for k, v in old["sft"].items()}
    stale = world.save(old, tmp_path / "cache")
    with pytest.raises(ValueError, match="delete it and run notebook 07 again"):
        world.load(stale)


def test_outside_a_clone_the_folder_is_the_working_one_and_07_is_asked_for(tmp_path, monkeypatch):
    """helpers installed without the notebooks (Colab, `pip install` without -e): the world is
    made in the working folder, and without 07 there the error says where to put it."""
    package = tmp_path / "site" / "helpers"
    package.mkdir(parents=True)
    monkeypatch.setattr(world, "__file__", str(package / "world.py"))
    monkeypatch.chdir(tmp_path)
    assert world.notebooks_folder() == tmp_path
    with pytest.raises(ValueError, match="folder must hold 07_rlhf_tiny_gpt.ipynb.*beside this"):
        world.load_or_build(0)
    assert not (tmp_path / "cache").exists()  # no child was started for it
