"""The Chinese text of every hint ``helpers.checks`` can print, keyed by the English hint.

A check prints the Chinese hint when the learner reads Chinese (``helpers.lang``). Change an
English hint in ``checks.py`` and its key here must change with it: tests/test_checks.py fails
on an English hint with no Chinese one, and on a Chinese one whose English hint is gone.
"""

HINTS_ZH = {
    # 01 reward-to-go
    "you summed the rewards *before* t. Reward-to-go sums from t to the end: loop backwards.": (
        "你累加的是 t *之前*的奖励。未来回报(reward-to-go)是从 t 累加到回合结束：从后往前循环。"
    ),
    "gamma is applied one step off: r_t itself is not discounted, G_t = r_t + gamma * G_{t+1}.": (
        "gamma 错了一步：r_t 本身不打折扣，G_t = r_t + gamma * G_{t+1}。"
    ),
    "that is R(tau) at every step. Reward-to-go drops the rewards that came before t.": (
        "这是在每一步都用 R(tau)。未来回报要去掉 t 之前获得的奖励。"
    ),
    "the discount is missing: each step further away multiplies by gamma.": (
        "缺少折扣：每远一步就要多乘一个 gamma。"
    ),
    # 02 the baseline-subtracted loss
    "a sign error: PyTorch minimises, so the loss is *minus* the objective.": (
        "符号错误：PyTorch 做的是最小化，所以损失是目标的*相反数*。"
    ),
    "the baseline is missing: weight by G - b, not G.": "缺少基线：权重应是 G - b，而不是 G。",
    "you added b; subtract it: G - b.": "你加上了 b；应该减去它：G - b。",
    "detach the baseline (b.detach()): the policy loss must not train the value network.": (
        "要把基线分离出计算图(b.detach())：策略的损失不能训练价值网络。"
    ),
    "the value is right but no gradient reaches logprobs: you detached the log-probabilities "
    "(or computed the loss from numbers). Only b is detached; the gradient flows through log pi.": (
        "值是对的，但没有梯度传到 logprobs：你把对数概率分离出了计算图(或者用普通数字计算了损失)。"
        "只有 b 需要 detach；梯度要经过 log pi 传回去。"
    ),
    "a sum over all steps without dividing by num_episodes: the step size then grows with the batch.": (
        "对所有步求和却没有除以 num_episodes：这样步长会随批量大小一起增长。"
    ),
    # 03 GAE
    "the dones mask is missing: at an episode end, do not bootstrap from V(s_{t+1}) nor carry "
    "A_{t+1} back: multiply both by (1 - dones[t]).": (
        "缺少 dones 掩码：在回合结束处，既不要从 V(s_{t+1}) 自举，也不要把 A_{t+1} 传回来："
        "两者都乘以 (1 - dones[t])。"
    ),
    "the recursion needs gamma * lambda: A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}.": (
        "递推需要 gamma * lambda:A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}。"
    ),
    "after the last step, bootstrap from next_value, V of the state the rollout stopped in.": (
        "最后一步之后要从 next_value 自举，即采样停止时所在状态的 V。"
    ),
    "V(s_{t+1}) is values[t + 1] inside the rollout; next_value is only for the last step.": (
        "在采样数据内部，V(s_{t+1}) 是 values[t + 1];next_value 只用于最后一步。"
    ),
    "an episode that ends on the rollout's last step (dones[-1] = 1) has no next state: "
    "mask next_value with (1 - dones[t]) there too, as at every other step.": (
        "恰好在采样最后一步结束的回合(dones[-1] = 1)没有下一个状态："
        "那里也要用 (1 - dones[t]) 屏蔽 next_value，和其他每一步一样。"
    ),
    # 04 the TD(0) update
    "at a terminal step there is no next state to bootstrap from: the target is just r.": (
        "在终止步没有可以自举的下一个状态：目标就是 r。"
    ),
    "a sign error: move V(s) *towards* the target, V + alpha * (target - V).": (
        "符号错误：要让 V(s) *朝着*目标移动，V + alpha * (target - V)。"
    ),
    "that is a Monte-Carlo-style update on one reward; TD's target adds gamma * V(s_next).": (
        "这是只用一个奖励的蒙特卡洛式更新；时序差分(TD)的目标还要加上 gamma * V(s_next)。"
    ),
    "you jumped all the way to the target; take a step of size alpha: V + alpha * (target - V).": (
        "你直接跳到了目标；应该走一步大小为 alpha 的更新：V + alpha * (target - V)。"
    ),
    # 05 importance sampling
    "the ratio is upside down: samples come from q, so weight by p/q.": (
        "比值颠倒了：样本来自 q，所以权重是 p/q。"
    ),
    "no importance weights: the plain mean estimates E_q[f], not E_p[f].": (
        "缺少重要性权重：直接取平均估计的是 E_q[f]，而不是 E_p[f]。"
    ),
    "that is the self-normalised estimator (biased for finite n); the plain one divides by n: "
    "mean(f * p / q).": ("这是自归一化估计量(n 有限时有偏)；普通的估计量除以 n:mean(f * p / q)。"),
    "sum instead of mean: divide by the number of samples.": "用了求和而不是平均：要除以样本数。",
    # 06 PPO-clip
    "a sign error: the loss to minimise is *minus* the clipped objective.": (
        "符号错误：要最小化的损失是裁剪后目标的*相反数*。"
    ),
    "the min is missing: take min(ratio * A, clip(ratio) * A), the pessimistic of the two.": (
        "缺少 min：取 min(ratio * A, clip(ratio) * A)，即两者中较悲观的那个。"
    ),
    "max instead of min: PPO keeps the *pessimistic* (smaller) objective.": (
        "用了 max 而不是 min:PPO 保留的是*悲观*(较小)的目标。"
    ),
    "the ratio is upside down: rho = pi / pi_old = exp(logprobs - old_logprobs).": (
        "比值颠倒了：rho = pi / pi_old = exp(logprobs - old_logprobs)。"
    ),
    "you clipped the log-ratio; clip the ratio itself to [1 - eps, 1 + eps].": (
        "你裁剪的是对数比值；应该把比值本身裁剪到 [1 - eps, 1 + eps]。"
    ),
    "the value is right but no gradient reaches logprobs: the ratio was detached (or computed "
    "from numbers). The ratio is what carries the gradient, d rho / d log pi = rho; do not "
    "detach it.": (
        "值是对的，但没有梯度传到 logprobs：比值被分离出了计算图(或者是用普通数字算的)。"
        "梯度正是通过比值传递的，d rho / d log pi = rho；不要 detach 它。"
    ),
    # 07 the KL-penalised reward
    "the reward model scores the whole response once: add its score at the last token only.": (
        "奖励模型只对整个回答打一次分：只在最后一个 token 上加上它的分数。"
    ),
    "the score belongs to the *last* token, when the response is complete.": (
        "分数属于*最后一个* token，即回答完整的时候。"
    ),
    "the KL sign is flipped: penalise log pi - log pi_ref (the policy's own log-probabilities "
    "first), so a token pays when the policy likes it more than the reference does.": (
        "KL 的符号反了：惩罚的是 log pi - log pi_ref(策略自己的对数概率在前)，"
        "这样当策略比参考模型更偏爱某个 token 时，这个 token 要付出代价。"
    ),
    "beta is missing: the penalty is beta * (log pi - log pi_ref).": (
        "缺少 beta：惩罚项是 beta * (log pi - log pi_ref)。"
    ),
    "the last token lost its own penalty: add the score to it (+=), do not overwrite it.": (
        "最后一个 token 丢掉了它自己的惩罚：把分数加到它上面(+=)，不要覆盖它。"
    ),
    "the total is right but every token should pay its own penalty where it is sampled "
    "(per-token rewards), not all of it at the end.": (
        "总和是对的，但每个 token 应该在它被采样的位置付出自己的惩罚(逐 token 奖励)，"
        "而不是全部堆到最后。"
    ),
    "there is no KL penalty: every token pays -beta * (log pi - log pi_ref).": (
        "没有 KL 惩罚：每个 token 都要付出 -beta * (log pi - log pi_ref)。"
    ),
    "beta scales only the KL penalty, not the reward model's score.": (
        "beta 只缩放 KL 惩罚，不缩放奖励模型的分数。"
    ),
    # 08 the DPO loss
    "a sign error: the chosen response's log-ratio comes first, "
    "beta * ((log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l))).": (
        "符号错误：被选中回答的对数比值在前，"
        "beta * ((log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l)))。"
    ),
    "a sign error: the loss to minimise is *minus* the log-likelihood, -log sigmoid(...).": (
        "符号错误：要最小化的损失是对数似然的*相反数*，-log sigmoid(...)。"
    ),
    "the reference is missing: DPO's implicit reward is beta * log(pi(y) / pi_ref(y)), "
    "so subtract ref_logps_chosen and ref_logps_rejected.": (
        "缺少参考模型：DPO 的隐式奖励是 beta * log(pi(y) / pi_ref(y))，"
        "所以要减去 ref_logps_chosen 和 ref_logps_rejected。"
    ),
    "the reference has the wrong sign: it is log pi(y) - log pi_ref(y), a log-ratio.": (
        "参考模型的符号反了：应是 log pi(y) - log pi_ref(y)，一个对数比值。"
    ),
    "beta is in the wrong place: it multiplies the margin *inside* the log-sigmoid "
    "(it is the implicit reward's scale), not the loss.": (
        "beta 放错了位置：它在 log-sigmoid *里面*乘以间隔(它是隐式奖励的尺度)，而不是乘以损失。"
    ),
    "beta is in the wrong place: multiply the margin by beta, do not divide by it.": (
        "beta 放错了位置：用 beta 乘以间隔，而不是除以它。"
    ),
    "beta is missing: the margin is multiplied by beta inside the log-sigmoid.": (
        "缺少 beta：在 log-sigmoid 里面，间隔要乘以 beta。"
    ),
    "the log is missing: minimise -log sigmoid(...), the negative log-likelihood.": (
        "缺少 log：要最小化的是 -log sigmoid(...)，即负对数似然。"
    ),
    "a sum instead of a mean over the comparisons of the batch.": (
        "对这批比较求了和，而不是求平均。"
    ),
    "the value is right but no gradient reaches the policy's log-probabilities: they "
    "were detached (or turned into numbers). They are what DPO trains.": (
        "值是对的，但没有梯度传到策略的对数概率：它们被分离出了计算图(或者变成了普通数字)。"
        "DPO 训练的正是它们。"
    ),
}
