"""Slider explorers for the notebooks: each wires ipywidgets controls to a figure and to the
notebook's own train function, and draws nothing itself.

Every explorer is built one way: its controls, an ``ipywidgets.Image`` holding the figure's PNG
(``plots.figure_png``), and a ``redraw`` observed on the controls, so a test can move a
control and see the image change without a browser. The figures (and the summary lines under
07's and 08's) are made in ``helpers.plots``, ``helpers.ppo_plots``, ``helpers.rlhf_plots`` and
``helpers.rlvr_plots``.
"""

from helpers import _validate, importance, lang, plots, ppo_plots, rlhf_plots, rlvr_plots

# The controls' labels, by short id (their Chinese text is in helpers/zh.py).
LABELS = {
    "baseline_b": "baseline b",
    "subtract_b": "subtract b",
    "clip_epsilon": "clip epsilon",
    "retrain_epsilon": "retrain with this epsilon",
    "pq_distance": "p-q distance",
    "train_ppo_beta": "train PPO with this beta",
    "train_dpo_beta": "train DPO with this beta",
    "grpo_iteration": "GRPO iteration",
}


def baseline_explorer(logits, means, noise_std, actions, rewards, lr=1.0):
    """A slider for b and a checkbox for using it, redrawing :func:`baseline_figure`.

    The figure is an ``ipywidgets.Image`` whose PNG bytes change with every redraw, so the
    same widget can be checked in a test without a browser.
    """
    import ipywidgets as W

    means_t = _validate.float_tensor("means", means, ndim=1)
    b_slider = W.FloatSlider(
        value=0.0,
        min=float(means_t.min()) - 2,
        max=float(means_t.max()) + 2,
        step=0.1,
        description=lang.text(LABELS, "baseline_b"),
        continuous_update=False,
    )
    use = W.Checkbox(value=True, description=lang.text(LABELS, "subtract_b"))
    image = W.Image(format="png")

    def redraw(_=None):
        fig = plots.baseline_figure(
            logits, means, noise_std, actions, rewards, b_slider.value, use.value, lr
        )
        image.value = plots.figure_png(fig)

    b_slider.observe(redraw, names="value")
    use.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([b_slider, use]), image])


def train_on_click(button, log, train, after):
    """Make ``button`` call ``train()`` (its printout and progress bars go to the Output widget
    ``log``; the button is disabled meanwhile, so a second click cannot start a second run),
    then ``after()``, e.g. a redraw."""

    def clicked(_):
        button.disabled = True
        try:
            with log:
                log.clear_output()
                train()
        finally:
            button.disabled = False
        after()

    button.on_click(clicked)


def clip_explorer(train, clip_coef=0.2):
    """A slider for PPO's clip epsilon that redraws :func:`clip_figure` at once, and a button
    that calls ``train(clip_coef)`` (which returns a learning curve ``(x, y)``) and adds it."""
    import ipywidgets as W

    slider = W.FloatSlider(
        value=clip_coef,
        min=0.02,
        max=0.8,
        step=0.02,
        description=lang.text(LABELS, "clip_epsilon"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    button = W.Button(description=lang.text(LABELS, "retrain_epsilon"), icon="play")
    image = W.Image(format="png")
    log = W.Output()
    curves = {}

    def redraw(_=None):
        image.value = plots.figure_png(ppo_plots.clip_figure(slider.value, curves))

    def retrain():
        curves[f"epsilon = {slider.value:.2f}"] = train(slider.value)

    slider.observe(redraw, names="value")
    train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), image, log])


def distance_explorer(
    n_samples=10, n_repeats=2000, mu_p=-1.0, seed=0, distance=1.0, max_distance=3.0
):
    """A slider for the p-q distance of notebook 05's importance-sampling experiment
    (``importance.gaussian_experiment``), redrawing ``ppo_plots.distance_figure``."""
    import ipywidgets as W

    max_distance = _validate.number_in("max_distance", max_distance, 0.1, 10.0)
    distance = _validate.number_in("distance", distance, 0.0, max_distance)
    slider = W.FloatSlider(
        value=distance,
        min=0.0,
        max=max_distance,
        step=0.1,
        description=lang.text(LABELS, "pq_distance"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    image = W.Image(format="png")

    def redraw(_=None):
        result = importance.gaussian_experiment(slider.value, n_samples, n_repeats, mu_p, seed)
        image.value = plots.figure_png(ppo_plots.distance_figure(result))

    slider.observe(redraw, names="value")
    redraw()  # the first drawing also checks the arguments, before the explorer is returned
    return W.VBox([slider, image])


def _runs_explorer(
    runs, train, betas, beta, description, button_text, figure, summary, **slider_style
):
    """The slider of runs already trained (redrawn at once with ``figure(beta)`` and
    ``summary(beta)``) and the button that calls ``train(beta)`` and adds its run to ``runs``:
    the one body of notebook 07's and notebook 08's explorers."""
    import ipywidgets as W

    betas = sorted(set(betas) | set(runs))
    slider = W.SelectionSlider(
        options=betas,
        value=beta if beta in betas else betas[0],
        description=description,
        continuous_update=False,
        **slider_style,
    )
    button = W.Button(description=button_text, icon="play", layout=W.Layout(width="220px"))
    label = W.Label()
    image = W.Image(format="png")
    log = W.Output()

    def redraw(_=None):  # the figure first: it checks the runs
        fig = figure(slider.value)
        label.value = summary(slider.value)
        image.value = plots.figure_png(fig)

    def retrain():
        runs[slider.value] = train(slider.value)

    slider.observe(redraw, names="value")
    train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), label, image, log])


def beta_explorer(
    runs, train, betas=(0.0, 0.03, 0.1, 0.3, 1.0), beta=0.0, best_of_n=None, sft_gold=None
):
    """Notebook 07's "beta" slider that redraws ``rlhf_plots.overoptimization_figure`` for runs already trained,
    and a button that calls ``train(beta)`` (which returns a PPO log) and adds it to ``runs``."""
    return _runs_explorer(
        runs,
        train,
        betas,
        beta,
        "beta",
        lang.text(LABELS, "train_ppo_beta"),
        lambda b: rlhf_plots.overoptimization_figure(runs, best_of_n, b, sft_gold),
        lambda b: rlhf_plots.run_summary(runs, b),
    )


def dpo_explorer(
    runs, train, betas=(0.05, 0.1, 0.2, 0.5, 1.0), beta=0.1, sft_gold=None, extra=None
):
    """Notebook 08's DPO "beta" slider that redraws ``rlhf_plots.dpo_figure`` at once for runs already
    trained, and a button that calls ``train(beta)`` (which returns a run) and adds it to ``runs``."""
    return _runs_explorer(
        runs,
        train,
        betas,
        beta,
        "DPO beta",
        lang.text(LABELS, "train_dpo_beta"),
        lambda b: rlhf_plots.dpo_figure(runs, b, sft_gold, extra),
        lambda b: rlhf_plots.dpo_summary(runs, b),
        style={"description_width": "initial"},
    )


def checkpoint_explorer(evals, before, problems):
    """Notebook 09's slider over the saved copies of the GRPO policy (``evals`` maps an iteration
    to its evaluation): redraws ``rlvr_plots.checkpoint_figure`` against the warm start
    (``before``) and shows that copy's answers to ``problems`` (``rlvr_plots.checkpoint_answers``)."""
    import ipywidgets as W

    iterations = sorted(evals)
    slider = W.SelectionSlider(
        options=iterations,
        value=iterations[0],  # the warm start: move right to watch the run
        description=lang.text(LABELS, "grpo_iteration"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    image = W.Image(format="png")
    answers = W.HTML()

    def redraw(_=None):  # the figure first: it checks the evaluations
        fig = rlvr_plots.checkpoint_figure(evals, slider.value, before)
        text = rlvr_plots.checkpoint_answers(evals, slider.value, problems)
        answers.value = f"<pre>{text}</pre>"
        image.value = plots.figure_png(fig)

    slider.observe(redraw, names="value")
    redraw()
    return W.VBox([slider, image, answers])
