#!/usr/bin/env python3
"""gradscope checkpoints and gradient dumps in PyTorch, with numpy and torch only.

    python3 python/gradscope_torch.py model ck.safetensors       # the nn.Module, weights loaded strictly
    python3 python/gradscope_torch.py check grads.safetensors    # the GPU's gradients against float64

    from gradscope_torch import load_model, read_safetensors, check_grads, save_model

Files are read by gradscope_files (beside this file, numpy only) rather than the `safetensors` package, which
Debian does not ship. The network is the one the file's config names (model.arch): DESIGN.md's canonical MLP, as
src/reference/network*.ts computes it in float64, a CIFAR ResNet ("Architectures beyond the MLP"), named as
akamaster/pytorch_resnet_cifar10's resnet.py names it, or a recurrent net (nn.RNN, nn.LSTM or nn.GRU named `rnn`,
batch first, and a `head` on the top layer's last hidden state), as src/reference/rnn.ts computes it.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as missing:  # one line, not a traceback: the fix is an install
    sys.exit(f"gradscope_torch needs numpy and torch ({missing}): sudo apt-get install python3-torch python3-numpy, or pip install torch numpy")

from gradscope_files import ARCHS, GradscopeError, Spec, is_weight, read_safetensors, spec_of, write_safetensors

__all__ = ["GradscopeError", "GradscopeMLP", "GradscopeRNN", "GradscopeResNet", "Spec", "build_model", "check_grads", "load_model", "read_safetensors", "save_model",
           "write_safetensors"]

# Chosen from 91 dumps at depth 20–30 on SwiftShader (README, "PyTorch"); see GradCheck for the ratio.
DEFAULT_TOL = 1e-3
DEFAULT_RATIO = 10.0
ACTIVATION_MODULES = {"linear": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
                      "leaky_relu": lambda: nn.LeakyReLU(0.01), "gelu": lambda: nn.GELU(approximate="none")}


class _GradscopeBatchNorm:
    """For a torch batch norm: gradscope's eps and momentum, and a state_dict of gradscope's four tensors:
    num_batches_tracked still counts, but is not saved (gradscope has no such tensor and refuses files with one)."""

    def __init__(self, width: int) -> None:
        super().__init__(width, eps=1e-5, momentum=0.1)  # type: ignore[call-arg]
        self.register_buffer("num_batches_tracked", self.num_batches_tracked, persistent=False)  # type: ignore[attr-defined]

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, *args: Any) -> None:
        # Without version metadata torch takes the dict for a pre-2018 file and inserts a num_batches_tracked to load.
        super()._load_from_state_dict(state_dict, prefix, {**local_metadata, "version": 2}, *args)  # type: ignore[misc]


class BatchNorm1d(_GradscopeBatchNorm, nn.BatchNorm1d):
    """nn.BatchNorm1d (the MLP's) with gradscope's eps, momentum and four state_dict tensors."""


class BatchNorm2d(_GradscopeBatchNorm, nn.BatchNorm2d):
    """nn.BatchNorm2d (the resnet's) with gradscope's eps, momentum and four state_dict tensors."""


def _norm(kind: str, width: int) -> nn.Module:
    """PyTorch's own norms (eps 1e-5, momentum 0.1: gradscope's), so a user's hooks and isinstance checks work."""
    if kind == "layer":
        return nn.LayerNorm(width, eps=1e-5)
    return BatchNorm1d(width) if kind == "batch" else nn.Identity()


class Block(nn.Linear):
    """h = a, or h_prev + α·a with a skip, where a = φ(N(h_prev·Wᵀ + b)); a Linear, so W and b are blocks.{l}.weight/.bias."""

    def __init__(self, fan_in: int, spec: Spec, skip: bool) -> None:
        super().__init__(fan_in, spec.width)
        self.norm = _norm(spec.norm, spec.width)
        self.act = ACTIVATION_MODULES[spec.activation]()
        self.skip = skip
        # ReZero's α is learnable and starts at 0; an identity skip's α is 1 and no tensor.
        self.alpha: nn.Parameter | float = nn.Parameter(torch.zeros(1)) if skip and spec.residual == "rezero" else 1.0

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        a = self.act(self.norm(super().forward(h)))
        return h + self.alpha * a if self.skip else a

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", skip (alpha={'learnable' if isinstance(self.alpha, nn.Parameter) else 1})" if self.skip else "")


class GradscopeMLP(nn.Module):
    """DESIGN.md's canonical network: depth blocks, a skip on every block but the first (its fan-in differs), a head."""

    def __init__(self, spec: Spec) -> None:
        super().__init__()
        self.spec = spec
        skips = spec.residual != "none"
        self.blocks = nn.ModuleList(Block(spec.d_in if l == 0 else spec.width, spec, skips and l > 0) for l in range(spec.depth))
        self.head = nn.Linear(spec.width, spec.d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head(x)

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean softmax cross-entropy over class ids, or mean squared error over every element."""
        return _loss(self.spec, logits, y)


def _loss(spec: Spec, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """gradscope's losses (src/reference/losses.ts): softmax cross-entropy over class ids, averaged over the batch; or
    squared error averaged over every element of [B, d_out]."""
    return F.cross_entropy(logits, y.long()) if spec.task == "classification" else F.mse_loss(logits, y.to(logits.dtype).reshape(logits.shape))


class ShortcutA(nn.Module):
    """He et al.'s option A (akamaster's LambdaLayer): x[:, :, ::2, ::2] with `pad` zero channels on each side; no parameters."""

    def __init__(self, pad: int) -> None:
        super().__init__()
        self.pad = pad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)

    def extra_repr(self) -> str:
        return f"stride=2, pad_channels={self.pad}"


def _conv3x3(c_in: int, c_out: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False)


def _bn2d(spec: Spec, channels: int) -> nn.Module:
    """norm none drops the batch norm and its names: an Identity has no state."""
    return BatchNorm2d(channels) if spec.norm == "batch" else nn.Identity()


class BasicBlock(nn.Module):
    """akamaster's BasicBlock: out = φ(bn1(conv1(x))), out = bn2(conv2(out)), then by model.residual
    φ(out + shortcut(x)) (identity), φ(out) (none: the plain nets), or φ(shortcut(x) + α·out) (rezero, α from 0)."""

    def __init__(self, in_planes: int, planes: int, stride: int, spec: Spec) -> None:
        super().__init__()
        self.conv1 = _conv3x3(in_planes, planes, stride)
        self.bn1 = _bn2d(spec, planes)
        self.conv2 = _conv3x3(planes, planes, 1)
        self.bn2 = _bn2d(spec, planes)
        self.act = ACTIVATION_MODULES[spec.activation]()  # φ wherever akamaster applies F.relu
        self.residual = spec.residual
        if spec.residual != "none":
            self.shortcut = ShortcutA(planes // 4) if stride != 1 or in_planes != planes else nn.Identity()
        if spec.residual == "rezero":
            self.alpha = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.residual == "identity":
            out = out + self.shortcut(x)
        elif self.residual == "rezero":
            out = self.shortcut(x) + self.alpha * out
        return self.act(out)

    def extra_repr(self) -> str:
        return f"residual={self.residual}"


class GradscopeResNet(nn.Module):
    """A CIFAR ResNet of He et al. 2016, §4.2 (DESIGN.md, "resnet"): conv1 → bn1 → φ, three stages `layer1..3` of
    (depth − 2)/6 BasicBlocks with width, 2·width, 4·width planes (stages 2 and 3 start at stride 2), global average
    pooling, `linear`. Takes NCHW images; names as akamaster/pytorch_resnet_cifar10's resnet.py."""

    def __init__(self, spec: Spec) -> None:
        super().__init__()
        if spec.image is None:
            raise GradscopeError("a resnet Spec needs its image shape (C, H, W)")
        self.spec = spec
        n = (spec.depth - 2) // 6
        self.conv1 = _conv3x3(spec.image[0], spec.width, 1)
        self.bn1 = _bn2d(spec, spec.width)
        self.act = ACTIVATION_MODULES[spec.activation]()
        in_planes = spec.width
        for s in (1, 2, 3):
            planes = spec.width * 2 ** (s - 1)
            blocks = []
            for i in range(n):
                blocks.append(BasicBlock(in_planes, planes, 2 if s > 1 and i == 0 else 1, spec))
                in_planes = planes
            setattr(self, f"layer{s}", nn.Sequential(*blocks))
        self.linear = nn.Linear(4 * spec.width, spec.d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.linear(out.mean(dim=(2, 3)))  # global average pool and flatten

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean softmax cross-entropy over class ids."""
        return F.cross_entropy(logits, y.long())


RNN_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class GradscopeRNN(nn.Module):
    """DESIGN.md's `rnn`: `rnn`, an nn.RNN (nonlinearity model.activation), nn.LSTM or nn.GRU of model.depth layers of
    model.width units (batch_first=True, zero initial state), then `head`, an nn.Linear on the top layer's last hidden
    state. Takes [B, T, d_in] sequences. With train.bptt = k < T the first T − k steps run under no_grad and the last k
    start from every layer's state there (h_n, and c_n for the LSTM) as a constant: gradscope's truncated BPTT, what
    `h.detach()` after step T − k − 1 makes. The forward values are full BPTT's either way."""

    def __init__(self, spec: Spec) -> None:
        super().__init__()
        if spec.cell not in RNN_MODULES:
            raise GradscopeError(f"an rnn Spec needs its cell (rnn, lstm or gru), not {spec.cell!r}")
        self.spec = spec
        extra = {"nonlinearity": spec.activation} if spec.cell == "rnn" else {}
        self.rnn = RNN_MODULES[spec.cell](spec.d_in, spec.width, num_layers=spec.depth, batch_first=True, **extra)
        self.head = nn.Linear(spec.width, spec.d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T, k = x.shape[1], self.spec.bptt
        state = None
        if k is not None and k < T:
            with torch.no_grad():  # every layer's state after step T − k − 1, a constant for backward
                _, state = self.rnn(x[:, : T - k])
            x = x[:, T - k :]
        out, _ = self.rnn(x, state)
        return self.head(out[:, -1])

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean softmax cross-entropy over class ids (order, mnist), or mean squared error over every element (adding)."""
        return _loss(self.spec, logits, y)

    def extra_repr(self) -> str:
        return f"bptt={'full' if self.spec.bptt is None else self.spec.bptt}"


def build_model(spec: Spec) -> nn.Module:
    """The freshly initialised module a Spec describes (PyTorch's own init; load_model loads a file's weights into it)."""
    return GradscopeResNet(spec) if spec.arch == "resnet" else GradscopeRNN(spec) if spec.arch == "rnn" else GradscopeMLP(spec)


def _describe(s: Spec) -> str:
    """The config choices that decide a network's names, for messages."""
    if s.arch == "rnn":
        return f"rnn {s.cell}{f' ({s.activation})' if s.cell == 'rnn' else ''}, depth {s.depth}, width {s.width}"
    choices = f"depth {s.depth}, norm {s.norm}, residual {s.residual}"
    return choices if s.arch == "mlp" else f"resnet {choices}, width {s.width}"


def _state_dict(path: str, model: nn.Module, tensors: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """The file's weights by name, checked first so a mismatch is one line rather than load_state_dict's paragraph."""
    want = model.state_dict()
    state = {k: torch.from_numpy(v) for k, v in tensors.items() if is_weight(k)}
    if "loss" in tensors:  # a grads dump is taken at init and holds parameters only: batch norm's buffers are fresh
        state.update({k: v for k, v in want.items() if k.endswith((".running_mean", ".running_var")) and k not in state})
    s = model.spec
    for name in state:
        if name not in want:
            raise GradscopeError(f"{path}: tensor {name} does not belong to this network ({_describe(s)}); was the file edited, or saved with another config?")
    for name, t in want.items():
        if name not in state:
            raise GradscopeError(f"{path}: tensor {name} is missing; this network needs {len(want)} tensors ({_describe(s)})")
        if tuple(state[name].shape) != tuple(t.shape):
            raise GradscopeError(f"{path}: {name} has shape {list(state[name].shape)}, this network needs {list(t.shape)}")
    return state


def load_model(path: str, tensors: dict[str, np.ndarray] | None = None, metadata: dict[str, str] | None = None) -> nn.Module:
    """The nn.Module a gradscope file was saved from (GradscopeMLP, GradscopeResNet or GradscopeRNN, by model.arch), its weights
    loaded strictly (float32, training mode)."""
    if tensors is None or metadata is None:
        tensors, metadata = read_safetensors(path)
    model = build_model(spec_of(path, tensors, metadata))
    model.load_state_dict(_state_dict(path, model, tensors), strict=True)
    return model


def save_model(model: nn.Module, path: str) -> None:
    """model.state_dict() in float32 with the RunConfig it came with: `gradscope train --load path` takes it back."""
    tensors = {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
    write_safetensors(path, tensors, {"config": model.spec.config})


@dataclass
class GradCheck:
    """Per tensor (and `loss`), ‖g − g64‖₂ / ‖g64‖₂ for the GPU's g, and the worse of two float32 PyTorch runs'.

    A tensor passes within tol, or within `ratio` times float32 PyTorch's own error. The second rule is for
    gradients that are zero by construction (a bias before batch norm: only rounding is left) and for deep
    batch-norm chains without skips, which amplify float32 rounding wherever they run (1e-2 at depth 20, width 64).
    A tensor whose float64 gradient is exactly zero (an rnn's weight_hh at T = 1: h_0 = 0) has no scale of its own:
    its error is ‖g‖₂ over the norm of the whole float64 gradient (every parameter's), an absolute bound at the
    gradient's scale.
    """
    path: str
    errors: dict[str, float]
    f32: dict[str, float]
    tol: float
    ratio: float

    def score(self, name: str) -> float:
        """The share of its allowance a tensor's error uses: it passes at ≤ 1 (NaN fails)."""
        score = self.errors[name] / max(self.tol, self.ratio * self.f32[name])
        return np.inf if np.isnan(score) else score

    @property
    def worst(self) -> str:
        return max(self.errors, key=self.score)

    @property
    def ok(self) -> bool:
        return self.score(self.worst) <= 1


def _rel_error(got: np.ndarray, want: np.ndarray, zero_scale: float) -> float:
    """Norm-wise, so tiny entries cannot dominate; exact zeros on both sides (ReZero's α = 0 blocks) are 0. Where want
    is exactly zero, relative to zero_scale (the whole gradient's norm) instead."""
    diff, scale = float(np.linalg.norm(got - want)), float(np.linalg.norm(want))
    scale = scale if scale > 0 else zero_scale
    return 0.0 if diff == 0 else diff / scale if scale > 0 else np.inf


def _gradients(model: nn.Module, x: np.ndarray, y: np.ndarray, dtype: torch.dtype) -> dict[str, np.ndarray]:
    """The loss and every parameter's gradient of one training-mode step on a copy of model, in dtype."""
    m = copy.deepcopy(model).to(dtype).train()
    loss = m.loss(m(torch.from_numpy(x).to(dtype)), torch.from_numpy(y))
    loss.backward()
    return {"loss": loss.detach().double().numpy(), **{n: p.grad.double().numpy() for n, p in m.named_parameters()}}


def check_grads(path: str, tol: float = DEFAULT_TOL, ratio: float = DEFAULT_RATIO) -> GradCheck:
    """Recompute a grads dump's loss and every gradient in float64 (and float32), training mode, from its own weights and batch."""
    tensors, metadata = read_safetensors(path)
    for name in ("input.x", "input.y", "loss"):
        if name not in tensors:
            raise GradscopeError(f"{path} has no {name}: check needs a gradient dump (gradscope grads --out FILE)")
    model = load_model(path, tensors, metadata)
    gpu = {"loss": tensors["loss"].reshape(())}
    for name, _ in model.named_parameters():
        if f"grad.{name}" not in tensors:
            raise GradscopeError(f"{path} has no grad.{name}: check needs every parameter's gradient (gradscope grads --out FILE)")
        gpu[name] = tensors[f"grad.{name}"]
    x, y = tensors["input.x"], tensors["input.y"]
    if model.spec.norm == "batch" and len(x) < 2 and model.spec.arch == "mlp":
        raise GradscopeError(f"{path} is a batch of 1 with batch norm, which PyTorch refuses to train on (gradscope falls back to the biased variance)")
    f64 = _gradients(model, x, y, torch.float64)
    # The batch reversed sums in another order: the worse of two float32 runs is a steadier measure of float32's error.
    f32 = [_gradients(model, x, y, torch.float32), _gradients(model, x[::-1].copy(), y[::-1].copy(), torch.float32)]
    total = float(np.sqrt(sum(np.sum(g * g) for n, g in f64.items() if n != "loss")))  # for tensors whose gradient is 0
    return GradCheck(path, {n: _rel_error(g.astype(np.float64), f64[n], total) for n, g in gpu.items()},
                     {n: max(_rel_error(f[n], f64[n], total) for f in f32) for n in gpu}, tol, ratio)


def _print_check(c: GradCheck) -> None:
    """One row per layer, so a deep network stays readable; float32 PyTorch's error beside any error over tol."""
    print(f"{c.path}: the loss and {len(c.errors) - 1} gradients against float64, as ‖gpu − f64‖ / ‖f64‖")
    rows: dict[str, list[str]] = {}
    for name, err in c.errors.items():
        parts = name.split(".")
        k = 2 if parts[0] == "blocks" or re.fullmatch(r"layer\d+", parts[0]) else 1  # blocks.3 | norm.weight, layer2.0 | conv1.weight, head | bias, loss
        row, what = ".".join(parts[:k]), ".".join(parts[k:])
        if recurrent := re.fullmatch(r"rnn\.(\w+)_l(\d+)", name):  # rnn.l1 | weight_ih, one row per recurrent layer
            row, what = f"rnn.l{recurrent[2]}", recurrent[1]
        cell = f"{what} {err:.1e}".lstrip()
        rows.setdefault(row, []).append(cell if err <= c.tol else f"{cell} (f32 {c.f32[name]:.1e}){'!' * (c.score(name) > 1)}")
    for layer, cells in rows.items():
        print(f"  {layer:10s} " + "  ".join(cells))
    w = c.worst
    print(f"  worst {w} {c.errors[w]:.2e} (float32 PyTorch {c.f32[w]:.2e}): {'ok' if c.ok else 'FAIL'}: a tensor passes within"
          f" {c.tol:g} or within {c.ratio:g}× float32 PyTorch's error{'' if c.ok else '; ! marks each that does not'}")


def _json(c: GradCheck) -> str:
    finite = lambda v: v if np.isfinite(v) else None  # JSON has no inf or NaN
    return json.dumps({"file": c.path, "ok": c.ok, "worstTensor": c.worst, "score": finite(c.score(c.worst)), "tol": c.tol, "ratio": c.ratio,
                       "errors": {k: finite(v) for k, v in c.errors.items()}, "f32": {k: finite(v) for k, v in c.f32.items()}})


def _check(files: list[str], tol: float, ratio: float, as_json: bool) -> int:
    """Every file is checked (torch's import costs seconds, so one process takes many); exit 1 if any fails."""
    failed = 0
    for path in files:
        try:
            c = check_grads(path, tol, ratio)
        except (GradscopeError, OSError) as e:
            failed += 1
            print(json.dumps({"file": path, "error": str(e)}) if as_json else f"gradscope_torch: {e}", file=sys.stdout if as_json else sys.stderr)
            continue
        failed += not c.ok
        if as_json:
            print(_json(c))
        else:
            _print_check(c)
    return 1 if failed else 0


def _model(path: str) -> int:
    tensors, metadata = read_safetensors(path)
    model = load_model(path, tensors, metadata)
    weights = sum(is_weight(k) for k in tensors)
    fresh = len(model.state_dict()) - weights  # a grads dump's batch norm buffers
    print(f"{model}\nloaded {weights} tensors from {path} strictly ({model.spec.task}; ignored {len(tensors) - weights} that are not weights"
          + (f"; {fresh} batch norm buffers at their initial values, as a grads dump is taken at init)" if fresh else ")"))
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit 1, like every other bad input
        self.exit(1, f"{self.prog}: {message} (see --help)\n")


def main(argv: list[str]) -> int:
    parser = _Parser(prog="gradscope_torch", description=f"gradscope safetensors files in PyTorch (model.arch {', '.join(ARCHS)})")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("model", help="build the nn.Module, load the weights strictly, print it").add_argument("file")
    c = sub.add_parser("check", help="recompute grads dumps in float64; exit 1 when a gradient is off")
    c.add_argument("files", nargs="+", metavar="file")
    c.add_argument("--tol", type=float, default=DEFAULT_TOL, help=f"relative error every tensor may have (default {DEFAULT_TOL:g})")
    c.add_argument("--ratio", type=float, default=DEFAULT_RATIO, help=f"or this many times float32 PyTorch's (default {DEFAULT_RATIO:g})")
    c.add_argument("--json", action="store_true", help="one JSON object per file instead of the table")
    args = parser.parse_args(argv)
    try:
        return _model(args.file) if args.command == "model" else _check(args.files, args.tol, args.ratio, args.json)
    except (GradscopeError, OSError) as e:
        print(f"gradscope_torch: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
