"""Published losses as a researcher types them into ``derive custom``, each with an independent
PyTorch reference and, where the paper gives one, the published gradient in the same language.

Each reference takes the inputs as keyword tensors of shape (N, n) and the scalars as keyword
floats, and returns the per-row loss, shape (N,); it is written with torch ops only (no code of
this project).  A published gradient is the component ``j`` of ∂L/∂(wrt) written as a vector
expression of the language (a one-hot ``y`` stands for δ_jt).

Input kinds (how ``literature.py`` samples each vector): ``real`` any real number (logits, residuals,
embeddings; pushed to ±1e4 at the extreme inputs), ``onehot`` a one-hot row, ``simplex`` a
distribution, ``binary`` 0/1 targets, ``multihot`` 0/1 with at least one 1, ``sign`` ±1 labels,
``positive`` numbers in [0.5, 2].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

try:  # the references need PyTorch; the expressions (benchmarks/bench_tool.py times them) do not
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = F = None

if TYPE_CHECKING:
    from torch import Tensor


@dataclass(frozen=True)
class Paper:
    """One published loss: as typed, how to call ``derive custom``, and a PyTorch reference."""

    name: str
    family: str  # classification, robust regression, probabilistic, segmentation, contrastive
    citation: str
    expression: str
    reference: Callable[..., Tensor]
    inputs: dict[str, str]                  # vector name → input kind (see the module docstring)
    wrt: str = "z"
    scalars: dict[str, float] = field(default_factory=dict)
    published: str | None = None            # the paper's ∂L/∂(wrt)_j, in the language

    @property
    def function(self) -> str:
        """The generated module's function (``--name``; catalogue names such as cross_entropy are taken)."""
        return f"{self.name}_paper"

    def arguments(self) -> list[str]:
        """The ``derive custom`` arguments after the expression."""
        args = ["--wrt", self.wrt, "--name", self.function]
        for vector, kind in self.inputs.items():
            flag = {"onehot": "--onehot", "simplex": "--simplex"}.get(kind, "--vector")
            args += [flag, vector]
        for key, value in self.scalars.items():
            args += ["--scalar", f"{key}={value!r}"]
        return args


def _lsm(x: Tensor) -> Tensor:
    return F.log_softmax(x, dim=-1)


def _ce(logits: Tensor, y: Tensor) -> Tensor:
    return F.cross_entropy(logits, y.argmax(-1), reduction="none")


def _sigmoid_focal(z: Tensor, y: Tensor, a: float, g: float) -> Tensor:
    p = torch.sigmoid(z)
    bce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    alpha_t = a * y + (1 - a) * (1 - y)
    return (alpha_t * (1 - p_t) ** g * bce).sum(-1)


def _tversky(z: Tensor, y: Tensor, a: float, b: float) -> Tensor:
    p = torch.sigmoid(z)
    tp = (p * y).sum(-1)
    return tp / (tp + a * (p * (1 - y)).sum(-1) + b * ((1 - p) * y).sum(-1))


def _huber(z: Tensor, y: Tensor, d: float) -> Tensor:
    return F.huber_loss(z, y, delta=d, reduction="none").sum(-1)


def _norm(x: Tensor) -> Tensor:
    return torch.linalg.vector_norm(x, dim=-1)


def _cosine(x: Tensor, w: Tensor) -> Tensor:
    return F.cosine_similarity(x, w, dim=-1, eps=0.0)


def _js(z: Tensor, y: Tensor) -> Tensor:
    p = F.softmax(z, -1)
    mix = (y + p) / 2
    return (torch.xlogy(y, y) - torch.xlogy(y, mix) + torch.xlogy(p, p) - torch.xlogy(p, mix)).sum(-1) / 2


CLS, ROBUST, PROB, SEG, CON = "classification", "robust regression", "probabilistic", "segmentation", \
    "contrastive"
ONEHOT = {"z": "real", "y": "onehot"}
BINARY = {"z": "real", "y": "binary"}
REGRESSION = {"z": "real", "y": "real"}
CE = "-sum(y*log_softmax(z))"
TVERSKY = ("sum(sigmoid(z)*y)/(sum(sigmoid(z)*y) + a*sum(sigmoid(z)*(1 - y)) "
           "+ b*sum((1 - sigmoid(z))*y))")

PAPERS: tuple[Paper, ...] = (
    # --- classification ---------------------------------------------------------------------
    Paper("cross_entropy", CLS, "Bridle, Probabilistic interpretation of feedforward network outputs, 1990",
          CE, lambda z, y: _ce(z, y), ONEHOT, published="softmax(z) - y"),
    Paper("temperature_ce", CLS, "Guo et al., On Calibration of Modern Neural Networks, ICML 2017",
          "-sum(y*log_softmax(z/T))", lambda z, y, T: _ce(z / T, y), ONEHOT, scalars={"T": 2.0},
          published="(softmax(z/T) - y)/T"),
    Paper("distillation", CLS, "Hinton, Vinyals & Dean, Distilling the Knowledge in a Neural Network, 2015",
          "T**2 * sum(softmax(t/T) * (log_softmax(t/T) - log_softmax(z/T)))",
          lambda z, t, T: T**2 * F.kl_div(_lsm(z / T), _lsm(t / T), log_target=True,
                                          reduction="none").sum(-1),
          {"z": "real", "t": "real"}, scalars={"T": 4.0}, published="T*(softmax(z/T) - softmax(t/T))"),
    Paper("logit_adjusted_ce", CLS, "Menon et al., Long-tail learning via logit adjustment, ICLR 2021",
          "-sum(y*log_softmax(z + tau*log(prior)))",
          lambda z, y, prior, tau: _ce(z + tau * torch.log(prior), y),
          {"z": "real", "y": "onehot", "prior": "simplex"}, scalars={"tau": 1.0},
          published="softmax(z + tau*log(prior)) - y"),
    Paper("am_softmax", CLS, "Wang et al., Additive Margin Softmax for Face Verification, IEEE SPL 2018",
          "-sum(y*log_softmax(s*(z - m*y)))", lambda z, y, s, m: _ce(s * (z - m * y), y), ONEHOT,
          scalars={"s": 30.0, "m": 0.35}, published="s*(softmax(s*(z - m*y)) - y)"),
    Paper("label_smoothing", CLS, "Szegedy et al., Rethinking the Inception Architecture, CVPR 2016",
          "-sum(((1 - eps)*y + eps/n)*log_softmax(z))",
          lambda z, y, eps: F.cross_entropy(z, y.argmax(-1), label_smoothing=eps, reduction="none"),
          ONEHOT, scalars={"eps": 0.1}, published="softmax(z) - (1 - eps)*y - eps/n"),
    Paper("focal_softmax", CLS, "Lin et al., Focal Loss for Dense Object Detection, ICCV 2017",
          "-sum(y*(1 - softmax(z))**g*log_softmax(z))",
          lambda z, y, g: -(y * (1 - F.softmax(z, -1)) ** g * _lsm(z)).sum(-1), ONEHOT, scalars={"g": 2.0}),
    Paper("focal_sigmoid", CLS, "Lin et al., Focal Loss for Dense Object Detection, ICCV 2017",
          "sum(-a*y*(1 - sigmoid(z))**g*log(sigmoid(z)) - (1 - a)*(1 - y)*sigmoid(z)**g*log(1 - sigmoid(z)))",
          lambda z, y, a, g: _sigmoid_focal(z, y, a, g), BINARY, scalars={"a": 0.25, "g": 2.0},
          published="a*y*(1 - sigmoid(z))**g*(g*sigmoid(z)*log(sigmoid(z)) - (1 - sigmoid(z))) + (1 - a)*"
                    "(1 - y)*sigmoid(z)**g*(sigmoid(z) - g*(1 - sigmoid(z))*log(1 - sigmoid(z)))"),
    Paper("generalized_ce", CLS, "Zhang & Sabuncu, Generalized Cross Entropy Loss for Training Deep "
          "Neural Networks with Noisy Labels, NeurIPS 2018",
          "sum(y*(1 - softmax(z)**q)/q)",
          lambda z, y, q: (1 - F.softmax(z, -1).gather(-1, y.argmax(-1, keepdim=True)).squeeze(-1) ** q) / q,
          ONEHOT, scalars={"q": 0.7}, published="sum(y*softmax(z)**q)*(softmax(z) - y)"),
    Paper("symmetric_ce", CLS, "Wang et al., Symmetric Cross Entropy for Robust Learning with Noisy "
          "Labels, ICCV 2019",
          "a*(-sum(y*log_softmax(z))) + b*(-sum(softmax(z)*log(max(y, 0.0001))))",
          lambda z, y, a, b: a * _ce(z, y) - b * (F.softmax(z, -1) * torch.log(y.clamp(min=1e-4))).sum(-1),
          ONEHOT, scalars={"a": 0.1, "b": 1.0}),
    Paper("taylor_ce", CLS, "Feng et al., Can Cross Entropy Loss Be Robust to Label Noise?, IJCAI 2020",
          "sum(y*((1 - softmax(z)) + (1 - softmax(z))**2/2))",
          lambda z, y: (y * ((1 - F.softmax(z, -1)) + (1 - F.softmax(z, -1)) ** 2 / 2)).sum(-1), ONEHOT),
    Paper("poly1", CLS, "Leng et al., PolyLoss: A Polynomial Expansion Perspective of Classification "
          "Loss Functions, ICLR 2022",
          "-sum(y*log_softmax(z)) + eps*(1 - sum(y*softmax(z)))",
          lambda z, y, eps: _ce(z, y) + eps * (1 - (y * F.softmax(z, -1)).sum(-1)), ONEHOT,
          scalars={"eps": 1.0}, published="(1 + eps*sum(y*softmax(z)))*(softmax(z) - y)"),
    Paper("logitnorm", CLS, "Wei et al., Mitigating Neural Network Overconfidence with Logit "
          "Normalization, ICML 2022",
          "-sum(y*log_softmax(z/(tau*norm(z))))",
          lambda z, y, tau: _ce(z / (tau * torch.linalg.vector_norm(z, dim=-1, keepdim=True)), y), ONEHOT,
          scalars={"tau": 0.04}),
    Paper("confidence_penalty", CLS, "Pereyra et al., Regularizing Neural Networks by Penalizing "
          "Confident Output Distributions, 2017",
          "-sum(y*log_softmax(z)) + beta*sum(softmax(z)*log_softmax(z))",
          lambda z, y, beta: _ce(z, y) + beta * (F.softmax(z, -1) * _lsm(z)).sum(-1), ONEHOT,
          scalars={"beta": 0.1}),
    Paper("logistic", CLS, "Cox, The Regression Analysis of Binary Sequences, JRSS B 1958",
          "sum(softplus(z) - y*z)",
          lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(-1), BINARY,
          published="sigmoid(z) - y"),
    Paper("squared_hinge", CLS, "Janocha & Czarnecki, On Loss Functions for Deep Neural Networks in "
          "Classification, 2017",
          "sum(max(0, 1 - y*z)**2)", lambda z, y: (1 - y * z).clamp(min=0).pow(2).sum(-1),
          {"z": "real", "y": "sign"}, published="-2*y*max(0, 1 - y*z)"),
    Paper("crammer_singer", CLS, "Crammer & Singer, On the Algorithmic Implementation of Multiclass "
          "Kernel-based Vector Machines, JMLR 2001",
          "max(z + 1 - y) - sum(y*z)",
          lambda z, y: (z + 1 - y).amax(-1) - (y * z).sum(-1), ONEHOT),
    # --- robust regression ------------------------------------------------------------------
    Paper("huber", ROBUST, "Huber, Robust Estimation of a Location Parameter, Ann. Math. Stat. 1964",
          "sum(min(abs(z - y), d)*(abs(z - y) - min(abs(z - y), d)/2))",
          lambda z, y, d: _huber(z, y, d), REGRESSION, scalars={"d": 1.0},
          published="max(-d, min(z - y, d))"),
    Paper("log_cosh", ROBUST, "Saleh & Saleh, Statistical Properties of the log-cosh Loss Function, 2022",
          "sum(log(cosh(z - y)))", lambda z, y: torch.log(torch.cosh(z - y)).sum(-1), REGRESSION,
          published="tanh(z - y)"),
    Paper("pinball", ROBUST, "Koenker & Bassett, Regression Quantiles, Econometrica 1978",
          "sum(max(q*(y - z), (q - 1)*(y - z)))",
          lambda z, y, q: torch.maximum(q * (y - z), (q - 1) * (y - z)).sum(-1), REGRESSION,
          scalars={"q": 0.9}),
    Paper("geman_mcclure", ROBUST, "Geman & McClure, Bayesian image analysis, 1985 (scaled as in Barron, "
          "A General and Adaptive Robust Loss Function, CVPR 2019)",
          "sum(2*((z - y)/c)**2/(((z - y)/c)**2 + 4))",
          lambda z, y, c: (2 * ((z - y) / c) ** 2 / (((z - y) / c) ** 2 + 4)).sum(-1), REGRESSION,
          scalars={"c": 1.0}, published="16*(z - y)/(c**2*(((z - y)/c)**2 + 4)**2)"),
    Paper("cauchy", ROBUST, "Black & Anandan, The Robust Estimation of Multiple Motions, CVIU 1996",
          "sum(log(1 + ((z - y)/c)**2/2))",
          lambda z, y, c: torch.log1p(((z - y) / c) ** 2 / 2).sum(-1), REGRESSION, scalars={"c": 1.0},
          published="2*(z - y)/(2*c**2 + (z - y)**2)"),
    Paper("charbonnier", ROBUST, "Charbonnier et al., Two deterministic half-quadratic regularization "
          "algorithms for computed imaging, ICIP 1994",
          "sum(c**2*(sqrt(1 + ((z - y)/c)**2) - 1))",
          lambda z, y, c: (c**2 * (torch.sqrt(1 + ((z - y) / c) ** 2) - 1)).sum(-1), REGRESSION,
          scalars={"c": 0.5}, published="(z - y)/sqrt(1 + ((z - y)/c)**2)"),
    Paper("barron", ROBUST, "Barron, A General and Adaptive Robust Loss Function, CVPR 2019",
          "sum(abs(a - 2)/a*((((z - y)/c)**2/abs(a - 2) + 1)**(a/2) - 1))",
          lambda z, y, a, c: (abs(a - 2) / a * ((((z - y) / c) ** 2 / abs(a - 2) + 1) ** (a / 2) - 1))
          .sum(-1),
          REGRESSION, scalars={"a": 1.5, "c": 1.0},
          published="(z - y)/c**2*(((z - y)/c)**2/abs(a - 2) + 1)**(a/2 - 1)"),
    Paper("tukey_biweight", ROBUST, "Beaton & Tukey, The Fitting of Power Series, Technometrics 1974",
          "sum(c**2/6*(1 - (1 - min(((z - y)/c)**2, 1))**3))",
          lambda z, y, c: (c**2 / 6 * (1 - (1 - (((z - y) / c) ** 2).clamp(max=1)) ** 3)).sum(-1),
          REGRESSION, scalars={"c": 4.685}, published="(z - y)*(1 - min(((z - y)/c)**2, 1))**2"),
    # --- probabilistic ----------------------------------------------------------------------
    Paper("gaussian_nll", PROB, "Nix & Weigend, Estimating the mean and variance of the target "
          "probability distribution, ICNN 1994",
          "sum(log(var)/2 + (z - y)**2/(2*var))",
          lambda z, y, var: F.gaussian_nll_loss(z, y, var, reduction="none", eps=0.0).sum(-1),
          {"z": "real", "y": "real", "var": "positive"}, published="(z - y)/var"),
    Paper("aleatoric_nll", PROB, "Kendall & Gal, What Uncertainties Do We Need in Bayesian Deep Learning "
          "for Computer Vision?, NeurIPS 2017",
          "sum(exp(-logvar)*(y - z)**2/2 + logvar/2)",
          lambda logvar, z, y: (torch.exp(-logvar) * (y - z) ** 2 / 2 + logvar / 2).sum(-1),
          {"logvar": "real", "z": "real", "y": "real"}, wrt="logvar",
          published="(1 - exp(-logvar)*(y - z)**2)/2"),
    Paper("student_t_nll", PROB, "Lange, Little & Taylor, Robust Statistical Modeling Using the t "
          "Distribution, JASA 1989",
          "sum((nu + 1)/2*log(1 + (y - z)**2/(nu*sigma**2)))",
          lambda z, y, nu, sigma: ((nu + 1) / 2 * torch.log1p((y - z) ** 2 / (nu * sigma**2))).sum(-1),
          REGRESSION, scalars={"nu": 3.0, "sigma": 1.0},
          published="(nu + 1)*(z - y)/(nu*sigma**2 + (z - y)**2)"),
    Paper("poisson_nll", PROB, "Nelder & Wedderburn, Generalized Linear Models, JRSS A 1972",
          "sum(exp(z) - y*z)",
          lambda z, y: F.poisson_nll_loss(z, y, log_input=True, full=False, reduction="none").sum(-1),
          {"z": "real", "y": "positive"}, published="exp(z) - y"),
    Paper("kl_divergence", PROB, "Kullback & Leibler, On Information and Sufficiency, Ann. Math. Stat. 1951",
          "sum(p*(log(p) - log_softmax(z)))",
          lambda z, p: F.kl_div(_lsm(z), p, reduction="none").sum(-1), {"z": "real", "p": "simplex"},
          published="softmax(z) - p"),
    Paper("jensen_shannon", PROB, "Lin, Divergence Measures Based on the Shannon Entropy, IEEE TIT 1991 "
          "(as a loss: Englesson & Azizpour, NeurIPS 2021)",
          "(sum(y*log(2*y/(y + softmax(z)))) + sum(softmax(z)*log(2*softmax(z)/(y + softmax(z)))))/2",
          lambda z, y: _js(z, y), {"z": "real", "y": "simplex"}),
    Paper("evidential_mse", PROB, "Sensoy, Kaplan & Kandemir, Evidential Deep Learning to Quantify "
          "Classification Uncertainty, NeurIPS 2018",
          "sum((y - alpha/sum(alpha))**2 + alpha*(sum(alpha) - alpha)/(sum(alpha)**2*(sum(alpha) + 1)))",
          lambda alpha, y: ((y - alpha / alpha.sum(-1, keepdim=True)) ** 2 + alpha
                            * (alpha.sum(-1, keepdim=True) - alpha)
                            / (alpha.sum(-1, keepdim=True) ** 2 * (alpha.sum(-1, keepdim=True) + 1))).sum(-1),
          {"alpha": "positive", "y": "onehot"}, wrt="alpha"),
    # --- segmentation -----------------------------------------------------------------------
    Paper("dice", SEG, "Milletari, Navab & Ahmadi, V-Net, 3DV 2016",
          "1 - 2*sum(sigmoid(z)*y)/(sum(sigmoid(z)**2) + sum(y**2))",
          lambda z, y: 1 - 2 * (torch.sigmoid(z) * y).sum(-1)
          / ((torch.sigmoid(z) ** 2).sum(-1) + (y**2).sum(-1)), BINARY,
          published="-2*(y*(sum(sigmoid(z)**2) + sum(y**2)) - 2*sigmoid(z)*sum(sigmoid(z)*y))"
                    "/(sum(sigmoid(z)**2) + sum(y**2))**2*sigmoid(z)*(1 - sigmoid(z))"),
    Paper("tversky", SEG, "Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation, "
          "MLMI 2017",
          f"1 - {TVERSKY}", lambda z, y, a, b: 1 - _tversky(z, y, a, b), BINARY,
          scalars={"a": 0.3, "b": 0.7}),
    Paper("focal_tversky", SEG, "Abraham & Khan, A Novel Focal Tversky Loss Function, ISBI 2019",
          f"(1 - {TVERSKY})**g", lambda z, y, a, b, g: (1 - _tversky(z, y, a, b)) ** g, BINARY,
          scalars={"a": 0.3, "b": 0.7, "g": 0.75}),
    Paper("soft_jaccard", SEG, "Rahman & Wang, Optimizing Intersection-Over-Union in Deep Neural "
          "Networks for Image Segmentation, ISVC 2016",
          "1 - sum(sigmoid(z)*y)/sum(sigmoid(z) + y - sigmoid(z)*y)",
          lambda z, y: 1 - (torch.sigmoid(z) * y).sum(-1)
          / (torch.sigmoid(z) + y - torch.sigmoid(z) * y).sum(-1), BINARY),
    # --- contrastive ------------------------------------------------------------------------
    Paper("infonce", CON, "van den Oord, Li & Vinyals, Representation Learning with Contrastive "
          "Predictive Coding, 2018 (temperature as in Chen et al., SimCLR, ICML 2020)",
          "-sum(y*log_softmax(z/tau))", lambda z, y, tau: _ce(z / tau, y), ONEHOT, scalars={"tau": 0.1},
          published="(softmax(z/tau) - y)/tau"),
    Paper("supcon", CON, "Khosla et al., Supervised Contrastive Learning, NeurIPS 2020",
          "-sum(y*log_softmax(z/tau))/sum(y)",
          lambda z, y, tau: -(y * _lsm(z / tau)).sum(-1) / y.sum(-1), {"z": "real", "y": "multihot"},
          scalars={"tau": 0.1}, published="(softmax(z/tau) - y/sum(y))/tau"),
    Paper("cosine_embedding", CON, "Bromley et al., Signature Verification using a Siamese Time Delay "
          "Neural Network, NIPS 1993",
          "1 - dot(x, w)/(norm(x)*norm(w))", lambda x, w: 1 - _cosine(x, w), {"x": "real", "w": "real"},
          wrt="x", published="dot(x, w)*x/(norm(x)**3*norm(w)) - w/(norm(x)*norm(w))"),
    Paper("contrastive_margin", CON, "Hadsell, Chopra & LeCun, Dimensionality Reduction by Learning an "
          "Invariant Mapping, CVPR 2006",
          "label*norm(a - b)**2/2 + (1 - label)*max(0, margin - norm(a - b))**2/2",
          lambda a, b, label, margin: label * _norm(a - b) ** 2 / 2
          + (1 - label) * (margin - _norm(a - b)).clamp(min=0) ** 2 / 2,
          {"a": "real", "b": "real"}, wrt="a", scalars={"label": 0.0, "margin": 2.0},
          published="label*(a - b) - (1 - label)*max(0, margin - norm(a - b))*(a - b)/norm(a - b)"),
    Paper("triplet", CON, "Schroff, Kalenichenko & Philbin, FaceNet, CVPR 2015",
          "max(0, norm(a - pos)**2 - norm(a - neg)**2 + margin)",
          lambda a, pos, neg, margin: (_norm(a - pos) ** 2 - _norm(a - neg) ** 2 + margin).clamp(min=0),
          {"a": "real", "pos": "real", "neg": "real"}, wrt="a", scalars={"margin": 0.2}),
)
