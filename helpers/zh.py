"""The Chinese text of everything the helpers say to a learner, keyed by the same short ids as
the English text in the module that says it (``helpers.lang.text`` picks one of the two):

- ``helpers.checks``: its messages (``checks.MESSAGES``) and the hints of its typical mistakes
  (``checks.HINTS``, ids ``<exercise>.<mistake>``), and those of ``helpers.ppo_checks`` and
  ``helpers.rlvr_checks``;
- ``helpers.widgets``: the labels of the sliders and buttons (``widgets.LABELS``);
- ``helpers.rlhf_plots``: the summary lines under notebooks 07's and 08's explorers
  (``rlhf_plots.SUMMARIES``).

tests/test_lang.py fails on an id with no Chinese text, on a Chinese text whose id is gone, and
on a Chinese text whose ``{fields}`` differ from the English one's.
"""

TEXT = {
    # helpers.checks: messages
    "not_done": "还没完成：补全这个函数，然后重新运行这个单元格。(checks.solution({name!r}) 会给出一个参考答案。)",
    "raised": "你的函数抛出了 {error}：{message}",
    "correct": "正确：在全部 {n} 个用例上与参考答案一致。",
    "hint": "还不对。提示：{hint}",
    "wrong_value": "还不对：对输入 {case!r}\n  期望 {want!r}\n  得到 {got!r}",
    "wrong_gradient": "还不对：值是对的，但它关于 {arg} 的梯度不对(训练网络靠的是梯度)。\n  输入 {case!r}\n  期望的梯度 {want!r}\n  得到      {got!r}",
    # helpers.checks: hints
    "reward_to_go.past_sum": "你累加的是 t *之前*的奖励。未来回报(reward-to-go)是从 t 累加到回合结束：从后往前循环。",
    "reward_to_go.one_step_off": "gamma 错了一步：r_t 本身不打折扣，G_t = r_t + gamma * G_{t+1}。",
    "reward_to_go.whole_return": "这是在每一步都用 R(tau)。未来回报要去掉 t 之前获得的奖励。",
    "reward_to_go.no_discount": "缺少折扣：每远一步就要多乘一个 gamma。",
    "baseline_pg_loss.sign_error_pytorch": "符号错误：PyTorch 做的是最小化，所以损失是目标的*相反数*。",
    "baseline_pg_loss.baseline_missing_weight": "缺少基线：权重应是 G - b，而不是 G。",
    "baseline_pg_loss.added_b_subtract": "你加上了 b；应该减去它：G - b。",
    "baseline_pg_loss.detach_baseline_b": "要把基线分离出计算图(b.detach())：策略的损失不能训练价值网络。",
    "baseline_pg_loss.value_right_gradient": "值是对的，但没有梯度传到 logprobs：你把对数概率分离出了计算图(或者用普通数字计算了损失)。只有 b 需要 detach；梯度要经过 log pi 传回去。",
    "baseline_pg_loss.sum_over_all": "对所有步求和却没有除以 num_episodes：这样步长会随批量大小一起增长。",
    "gae.no_mask": "缺少 dones 掩码：在回合结束处，既不要从 V(s_{t+1}) 自举，也不要把 A_{t+1} 传回来：两者都乘以 (1 - dones[t])。",
    "gae.no_gamma_in_trace": "递推需要 gamma * lambda:A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}。",
    "gae.no_bootstrap": "最后一步之后要从 next_value 自举，即采样停止时所在状态的 V。",
    "gae.next_value_everywhere": "在采样数据内部，V(s_{t+1}) 是 values[t + 1];next_value 只用于最后一步。",
    "gae.bootstrap_past_last_done": "恰好在采样最后一步结束的回合(dones[-1] = 1)没有下一个状态：那里也要用 (1 - dones[t]) 屏蔽 next_value，和其他每一步一样。",
    "td0_update.terminal_step_next": "在终止步没有可以自举的下一个状态：目标就是 r。",
    "td0_update.sign_error_move": "符号错误：要让 V(s) *朝着*目标移动，V + alpha * (target - V)。",
    "td0_update.monte_carlo_style": "这是只用一个奖励的蒙特卡洛式更新；时序差分(TD)的目标还要加上 gamma * V(s_next)。",
    "td0_update.jumped_all_way": "你直接跳到了目标；应该走一步大小为 alpha 的更新：V + alpha * (target - V)。",
    "ess.count_not_fraction": "这是有效样本的个数；再除以 n，才是占整批的比例。",
    "ess.upside_down": "颠倒了：(sum w)^2 / (n sum w^2) 最大为 1，并且只有所有权重相等时才等于 1。",
    "ess.assumed_mean_one": "只有权重的平均值为 1 时，1 / mean(w^2) 才等于有效样本量；应该用和的平方：(sum w)^2 / (n sum w^2)。",
    "ess.sum_not_squared": "分子要用权重之和的平方 (sum w)^2，这样把所有权重同乘一个数，结果不变。",
    "ppo_clip_loss.sign_error_loss": "符号错误：要最小化的损失是裁剪后目标的*相反数*。",
    "ppo_clip_loss.min_missing_take": "缺少 min：取 min(ratio * A, clip(ratio) * A)，即两者中较悲观的那个。",
    "ppo_clip_loss.max_instead_min": "用了 max 而不是 min:PPO 保留的是*悲观*(较小)的目标。",
    "ppo_clip_loss.ratio_upside_down": "比值颠倒了：rho = pi / pi_old = exp(newlogprobs - b_logprobs)。",
    "ppo_clip_loss.clipped_log_ratio": "你裁剪的是对数比值；应该把比值本身裁剪到 [1 - eps, 1 + eps]。",
    "ppo_clip_loss.value_right_gradient": "值是对的，但没有梯度传到 newlogprobs：比值被分离出了计算图(或者是用普通数字算的)。梯度正是通过比值传递的，d rho / d log pi = rho；不要 detach 它。",
    "kl_penalized_rewards.score_everywhere": "奖励模型只对整个回答打一次分：只在最后一个 token 上加上它的分数。",
    "kl_penalized_rewards.score_first": "分数属于*最后一个* token，即回答完整的时候。",
    "kl_penalized_rewards.flipped_kl": "KL 的符号反了：惩罚的是 log pi - log pi_ref(策略自己的对数概率在前)，这样当策略比参考模型更偏爱某个 token 时，这个 token 要付出代价。",
    "kl_penalized_rewards.no_beta": "缺少 beta：惩罚项是 beta * (log pi - log pi_ref)。",
    "kl_penalized_rewards.score_replaces_last_penalty": "最后一个 token 丢掉了它自己的惩罚：把分数加到它上面(+=)，不要覆盖它。",
    "kl_penalized_rewards.penalty_summed_at_the_end": "总和是对的，但每个 token 应该在它被采样的位置付出自己的惩罚(逐 token 奖励)，而不是全部堆到最后。",
    "kl_penalized_rewards.no_penalty": "没有 KL 惩罚：每个 token 都要付出 -beta * (log pi - log pi_ref)。",
    "kl_penalized_rewards.beta_on_the_score": "beta 只缩放 KL 惩罚，不缩放奖励模型的分数。",
    "dpo_loss.sign_error_chosen": "符号错误：被选中回答的对数比值在前，beta * ((log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l)))。",
    "dpo_loss.sign_error_loss": "符号错误：要最小化的损失是对数似然的*相反数*，-log sigmoid(...)。",
    "dpo_loss.reference_missing_dpo": "缺少参考模型：DPO 的隐式奖励是 beta * log(pi(y) / pi_ref(y))，所以要减去 ref_logps_chosen 和 ref_logps_rejected。",
    "dpo_loss.reference_has_wrong": "参考模型的符号反了：应是 log pi(y) - log pi_ref(y)，一个对数比值。",
    "dpo_loss.beta_wrong_place": "beta 放错了位置：它在 log-sigmoid *里面*乘以间隔(它是隐式奖励的尺度)，而不是乘以损失。",
    "dpo_loss.beta_wrong_place_multiply": "beta 放错了位置：用 beta 乘以间隔，而不是除以它。",
    "dpo_loss.beta_missing_margin": "缺少 beta：在 log-sigmoid 里面，间隔要乘以 beta。",
    "dpo_loss.log_missing_minimise": "缺少 log：要最小化的是 -log sigmoid(...)，即负对数似然。",
    "dpo_loss.sum_instead_mean": "对这批比较求了和，而不是求平均。",
    "dpo_loss.value_right_gradient": "值是对的，但没有梯度传到策略的对数概率：它们被分离出了计算图(或者变成了普通数字)。DPO 训练的正是它们。",
    # helpers.widgets: labels
    "baseline_b": "基线 b",
    "subtract_b": "减去 b",
    "clip_epsilon": "裁剪 epsilon",
    "retrain_epsilon": "用这个 epsilon 重新训练",
    "pq_distance": "p 与 q 的距离",
    "train_ppo_beta": "用这个 beta 训练 PPO",
    "train_dpo_beta": "用这个 beta 训练 DPO",
    "grpo_iteration": "GRPO 迭代",
    # helpers.rlhf_plots: summaries
    "ppo_not_trained": "beta = {beta:g}：还没有训练；按下按钮，用它训练 PPO。",
    "ppo_summary": (
        "beta = {beta:g}，最近 5 次迭代（留出的提示）：奖励模型(RM)奖励 {rm:+.2f}，"
        "金标准(gold)得分 {gold:+.2f}，与 SFT 模型的 KL散度 {kl:.1f} nats；"
        "其采样中不同回答的比例 {distinct:.0%}"
    ),
    "dpo_not_trained": "beta = {beta:g}：还没有训练；按下按钮，用它训练 DPO。",
    "dpo_summary": (
        "beta = {beta:g}：隐式奖励在 {accuracy:.0%} 的留出比较上判断正确；"
        "被选中回答的对数概率变化 {chosen:+.1f} nats，被拒绝回答的 "
        "{rejected:+.1f} nats；金标准(gold)得分 {gold:+.2f}，"
        "与 SFT 的 KL散度 {kl:.1f} nats"
    ),
    # helpers.rlvr_checks: hints
    "pass_at_k.biased": "这是 1 - (1 - c/n)^k，即*有放回*地抽取 k 个回答：它把 c/n 当作真实的 pass@1，因而偏低。应当无放回地抽取 k 个回答：1 - C(n - c, k) / C(n, k)。",
    "pass_at_k.off_by_one": "二项式系数差了一：从 n 个回答中抽取的 k 个全部错误的概率是 C(n - c, k) / C(n, k)：都是抽 k 个，分别从 n - c 个错误回答和全部 n 个回答中抽。",
    "pass_at_k.complement": "这是 k 个回答全部错误的概率；pass@k 是 1 减去它。",
    "pass_at_k.pass_at_1": "无论 k 是多少，c / n 都只是 pass@1：尝试次数越多，其中有一个正确的概率就越大。",
    "pass_at_k.overflow": "n 很大时，二项式系数(或阶乘)会超出浮点数的范围：把 C(n - c, k) / C(n, k) 写成 i 从 n - c + 1 到 n 的 (1 - k / i) 的乘积，或者用 Python 的精确整数(math.comb)计算。",
}
