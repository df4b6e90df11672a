"""Information theory: self-information, entropy, cross-entropy, KL divergence."""

from sympy import Function, Sum, log

from ..engine.derivation import LossSpec, Named, Step, Text
from ..engine.symbols import j, k, n, p, p0, q

_ENTROPY = -Sum(p[k] * log(p[k]), (k, 1, n))
_CROSS_ENTROPY = -Sum(p[k] * log(q[k]), (k, 1, n))
_KL = Sum(p[k] * log(p[k] / q[k]), (k, 1, n))
H, KL = Function("H"), Function("KL")

SPECS = (
    LossSpec(
        name="self_information",
        title=Text("Self-information", "自信息"),
        family="information",
        description=Text(
            "The information carried by an event of probability p: rare events carry more. "
            "It is the building block of entropy and cross-entropy.",
            "概率为 p 的事件所携带的信息量：越罕见的事件信息量越大。它是熵和交叉熵的基本单元。"),
        loss=-log(p0),
        wrt=p0,
        aliases=("surprisal", "information_content"),
    ),
    LossSpec(
        name="entropy",
        title=Text("Entropy", "熵"),
        family="information",
        description=Text(
            "The expected self-information of a distribution p: how uncertain an outcome drawn "
            "from p is. Used as a regulariser that rewards confident or spread-out predictions.",
            "分布 p 的自信息的期望：从 p 中抽样的结果有多不确定。常作为正则项使用。"),
        loss=_ENTROPY,
        wrt=p[j],
        aliases=("shannon_entropy",),
    ),
    LossSpec(
        name="cross_entropy_distributions",
        title=Text("Cross-entropy between distributions", "分布之间的交叉熵"),
        family="information",
        description=Text(
            "The expected code length when outcomes from p are encoded with a code built for q. "
            "Minimising it over q is minimising KL(p‖q), because H(p) does not depend on q.",
            "用为 q 设计的编码去编码来自 p 的结果时的平均码长。对 q 最小化交叉熵就是最小化 KL(p‖q)，"
            "因为 H(p) 与 q 无关。"),
        loss=_CROSS_ENTROPY,
        wrt=q[j],
        aliases=("cross_entropy_pq",),
        identities=(
            Step(Named(H(p, q), _CROSS_ENTROPY), Named(H(p), _ENTROPY) + Named(KL(p, q), _KL),
                 "entropy plus KL",
                 Text("Cross-entropy is the entropy of p plus the KL divergence from q to p: "
                      "H(p, q) = H(p) + KL(p‖q).",
                      "交叉熵等于 p 的熵加上 KL 散度：H(p, q) = H(p) + KL(p‖q)。")),
        ),
    ),
    LossSpec(
        name="kl_divergence",
        title=Text("Kullback-Leibler divergence", "KL 散度（相对熵）"),
        family="information",
        description=Text(
            "How many extra nats it costs to encode p with a code built for q; zero exactly when "
            "q = p. Its gradient in q equals that of the cross-entropy.",
            "用为 q 设计的编码去编码 p 时多付出的平均信息量；当且仅当 q = p 时为零。"
            "它对 q 的梯度与交叉熵相同。"),
        loss=_KL,
        wrt=q[j],
        aliases=("relative_entropy", "kl"),
    ),
)
