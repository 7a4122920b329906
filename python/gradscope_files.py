"""gradscope's safetensors files with numpy only: read and write them, and say which network one describes.

Debian ships no `safetensors` package, and a grads dump is worth reading without torch. The format
(huggingface/safetensors): an 8-byte little-endian u64 header length N, N bytes of JSON naming each
tensor's dtype, shape and byte range in the data that follows (little-endian, row-major), and an optional
"__metadata__" of string values (gradscope keeps the resolved RunConfig there, as "config").
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

# The RunConfig choices the PyTorch module implements (DESIGN.md, "The canonical network").
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "gelu")
NORMS = ("none", "batch", "layer")
RESIDUALS = ("none", "identity", "rezero")
ARCHS = ("mlp", "resnet", "rnn")
RESNET_NORMS = ("none", "batch")  # gradscope refuses a resnet with layer norm
# model.arch=rnn: model.cell is nn.RNN, nn.LSTM or nn.GRU, with G gates (PyTorch's order: LSTM i, f, g, o; GRU r, z, n).
RNN_CELLS = {"rnn": 1, "lstm": 4, "gru": 3}
RNN_NONLINEARITIES = ("tanh", "relu")  # nn.RNN's; lstm and gru ignore model.activation
# What an rnn reads (src/model/config-schema.ts RNN_DATA): features per time step, and T when fixed (mnist: 28 rows).
SEQUENCE_DATA = {"adding": (2, None), "order": (6, None), "mnist": (28, 28)}
# (C, H, W) of the image data sets a resnet reads (src/train/data); a checkpoint carries no batch to read it from.
IMAGE_SHAPES = {"mnist": (1, 28, 28), "shapes": (3, 32, 32), "cifar10": (3, 32, 32)}
# A resumable checkpoint's optimizer state: optimizer.<param name>.<one of these>.
OPTIMIZER_STATE = (".momentum_buffer", ".exp_avg", ".exp_avg_sq")
# safetensors dtype -> little-endian numpy dtype; BF16 has none and is widened to float32 on reading.
DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


class GradscopeError(ValueError):
    """Bad input, said in one line that names the file and what is wrong; the command line exits 1 with it."""


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Tensors (in header order) and __metadata__ of a file, every array native-endian and writable."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise GradscopeError(f"{path} is not a safetensors file ({len(raw)} bytes; it starts with an 8-byte header length)")
    n = int.from_bytes(raw[:8], "little")
    if n > len(raw) - 8:
        raise GradscopeError(f"{path} is not a safetensors file (header length {n} but only {len(raw) - 8} bytes follow)")
    try:
        header = json.loads(raw[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GradscopeError(f"{path} is not a safetensors file (its header is not JSON: {e})") from None
    if not isinstance(header, dict):
        raise GradscopeError(f"{path} is not a safetensors file (its header is not a JSON object)")
    metadata = header.pop("__metadata__", None) or {}
    body = memoryview(raw)[8 + n:]
    return {name: _tensor(path, name, entry, body) for name, entry in header.items()}, metadata


def _tensor(path: str, name: str, entry: Any, body: memoryview) -> np.ndarray:
    """One header entry's data, checked first so that a damaged header cannot read past the file."""
    try:
        dtype, shape, (start, end) = entry["dtype"], [int(d) for d in entry["shape"]], entry["data_offsets"]
    except (TypeError, KeyError, ValueError):
        raise GradscopeError(f"{path}: tensor {name} needs dtype, shape and data_offsets [start, end] (got {json.dumps(entry)})") from None
    if dtype not in DTYPES and dtype != "BF16":
        raise GradscopeError(f"{path}: tensor {name} has dtype {dtype}; this reader takes {', '.join(DTYPES)}, BF16")
    size = 2 if dtype == "BF16" else np.dtype(DTYPES[dtype]).itemsize
    count = int(np.prod(shape, dtype=np.int64))
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(body)) or end - start != count * size:
        raise GradscopeError(f"{path}: tensor {name} ({dtype} {shape}) has data_offsets [{start}, {end}], which do not hold its {count} elements within the file's {len(body)} data bytes")
    data = bytes(body[start:end])
    if dtype == "BF16":  # the high half of a float32
        return (np.frombuffer(data, "<u2").astype(np.uint32) << 16).view(np.float32).reshape(shape)
    return np.frombuffer(data, DTYPES[dtype]).astype(np.dtype(DTYPES[dtype]).newbyteorder("="), copy=True).reshape(shape)


def write_safetensors(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> None:
    """Write tensors in the given order; the file is replaced atomically, so a failed write leaves the old one."""
    names = {np.dtype(v).newbyteorder("<"): k for k, v in DTYPES.items()}
    header: dict[str, Any] = {"__metadata__": metadata} if metadata else {}
    chunks, offset = [], 0
    for name, array in tensors.items():
        a = np.ascontiguousarray(array)
        dtype = names.get(a.dtype.newbyteorder("<"))
        if dtype is None:
            raise GradscopeError(f"{path}: tensor {name} is {a.dtype}; safetensors here takes {', '.join(DTYPES)}")
        chunks.append(a.astype(np.dtype(DTYPES[dtype]), copy=False).tobytes())
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(chunks[-1])]}
        offset += len(chunks[-1])
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header with spaces so the data starts 8-byte aligned
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(chunks))
    os.replace(tmp, path)


@dataclass(frozen=True)
class Spec:
    """What the module needs: the config's choices, sizes read off the tensors, and the task."""
    d_in: int  # features per sample: the MLP's input width, or C·H·W of a resnet's images
    d_out: int
    width: int
    depth: int
    activation: str
    norm: str
    residual: str
    task: str  # classification | regression
    config: str  # the RunConfig JSON, kept so save_model writes a file gradscope loads back
    arch: str = "mlp"  # mlp | resnet | rnn (model.arch; files from before it existed are mlp)
    image: tuple[int, int, int] | None = None  # (C, H, W) of a resnet's input, PyTorch's NCHW order
    cell: str | None = None  # an rnn's model.cell: rnn (nonlinearity `activation`) | lstm | gru
    length: int | None = None  # an rnn's T, time steps per sequence (its d_in is the features of one step)
    bptt: int | None = None  # an rnn's train.bptt: backpropagate through the last bptt steps only; None is full BPTT


def _choice(path: str, model: dict, field: str, allowed: tuple[str, ...], default: str | None = None, why: str = "gradscope_torch yet") -> str:
    value = model.get(field, default)
    if value not in allowed:
        raise GradscopeError(f"{path}: model.{field} {json.dumps(value)} is not supported by {why} (it takes {', '.join(allowed)})")
    return value


def _task(tensors: dict[str, np.ndarray], config: dict, d_out: int) -> str:
    """input.y says it in a grads dump; otherwise the data set does (src/train/data: teacher, and csv with non-class labels)."""
    if "input.y" in tensors:
        return "classification" if tensors["input.y"].dtype.kind in "iu" else "regression"
    name = config.get("data", {}).get("name")
    # A CSV of non-integer labels is a regression with one output; a one-class classifier would be meaningless.
    return "regression" if name in ("teacher", "adding") or (name == "csv" and d_out == 1) else "classification"


def spec_of(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> Spec:
    """The network a file was saved from: choices from __metadata__["config"], input and output sizes from the tensors."""
    if "config" not in metadata:
        raise GradscopeError(f"{path} has no __metadata__.config: it was not written by gradscope (train --save or grads --out)")
    try:
        config = json.loads(metadata["config"])
        model = config["model"]
        width, depth = int(model["width"]), int(model["depth"])
        if not isinstance(model, dict):
            raise TypeError
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise GradscopeError(f"{path}: __metadata__.config is not a gradscope RunConfig (it needs model.width and model.depth)") from None
    arch = _choice(path, model, "arch", ARCHS, "mlp")
    if arch == "resnet":
        return _resnet_spec(path, tensors, metadata["config"], config, width, depth)
    if arch == "rnn":
        return _rnn_spec(path, tensors, metadata["config"], config, width, depth)
    for name in ("blocks.0.weight", "head.weight"):
        if name not in tensors or tensors[name].ndim != 2:
            raise GradscopeError(f"{path} has no 2-D tensor {name}, so its input and output sizes are unknown")
    d_out = tensors["head.weight"].shape[0]
    return Spec(d_in=tensors["blocks.0.weight"].shape[1], d_out=d_out, width=width, depth=depth,
                activation=_choice(path, model, "activation", ACTIVATIONS), norm=_choice(path, model, "norm", NORMS),
                residual=_choice(path, model, "residual", RESIDUALS), task=_task(tensors, config, d_out), config=metadata["config"])


def _resnet_spec(path: str, tensors: dict[str, np.ndarray], text: str, config: dict, width: int, depth: int) -> Spec:
    """A CIFAR ResNet (DESIGN.md, "resnet"): the image shape from the batch of a grads dump, else from the data set's name."""
    if depth < 8 or (depth - 2) % 6:
        raise GradscopeError(f"{path}: model.depth {depth} is not a resnet depth (6n + 2: 8, 14, 20, 32, 44, 56, 110, …)")
    if width < 2 or width % 2:
        raise GradscopeError(f"{path}: model.width {width} is not a resnet width (even: its shortcuts pad width/2 zero channels on each side)")
    model = config["model"]
    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    if "input.x" in tensors:
        x = tensors["input.x"]
        if x.ndim != 4:
            raise GradscopeError(f"{path}: input.x has shape {list(x.shape)}; a resnet's batch is images, [B, C, H, W] (NCHW; data.name is {json.dumps(data.get('name'))})")
        image = tuple(int(d) for d in x.shape[1:])
    elif data.get("name") in IMAGE_SHAPES:
        image = IMAGE_SHAPES[data["name"]]
    else:
        raise GradscopeError(f"{path}: data.name {json.dumps(data.get('name'))} is not image data gradscope_torch knows the shape of"
                             f" ({', '.join(f'{k} {h}×{w}×{c}' for k, (c, h, w) in IMAGE_SHAPES.items())}), so a resnet's input is unknown")
    for name in ("conv1.weight", "linear.weight"):
        if name not in tensors:
            raise GradscopeError(f"{path} has no tensor {name}, which every resnet has")
    conv1, linear = tensors["conv1.weight"], tensors["linear.weight"]
    if conv1.ndim != 4 or conv1.shape[1] != image[0]:
        raise GradscopeError(f"{path}: conv1.weight has shape {list(conv1.shape)}, but the images have {image[0]} channels ([C_out, {image[0]}, 3, 3] wanted)")
    if linear.ndim != 2:
        raise GradscopeError(f"{path}: linear.weight has shape {list(linear.shape)}; it should be [classes, {4 * width}]")
    return Spec(d_in=int(np.prod(image)), d_out=linear.shape[0], width=width, depth=depth,
                activation=_choice(path, model, "activation", ACTIVATIONS),
                norm=_choice(path, model, "norm", RESNET_NORMS, why="a resnet"),
                residual=_choice(path, model, "residual", RESIDUALS), task="classification", config=text,
                arch="resnet", image=image)


def _rnn_spec(path: str, tensors: dict[str, np.ndarray], text: str, config: dict, width: int, depth: int) -> Spec:
    """A stacked nn.RNN / nn.LSTM / nn.GRU named `rnn` and a `head` on its last hidden state (DESIGN.md, "rnn"): sizes
    from rnn.weight_ih_l0 and head.weight, T from a grads dump's batch [B, T, in] or else from the data set."""
    model = config["model"]
    train = config.get("train") if isinstance(config.get("train"), dict) else {}
    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    cell = _choice(path, model, "cell", tuple(RNN_CELLS), "lstm", why="an rnn")
    activation = _choice(path, model, "activation", RNN_NONLINEARITIES, "tanh", why="an rnn with model.cell rnn (nn.RNN's nonlinearities)") if cell == "rnn" else "tanh"
    norm = _choice(path, model, "norm", ("none",), "none", why="an rnn (nn.RNN, nn.LSTM and nn.GRU have no normalization)")
    residual = _choice(path, model, "residual", ("none",), "none", why="an rnn (stacked recurrent layers have no skips)")
    bptt = train.get("bptt")
    if bptt is not None and not (isinstance(bptt, int) and not isinstance(bptt, bool) and bptt >= 1):
        raise GradscopeError(f"{path}: train.bptt {json.dumps(bptt)} is not a truncation length (an integer ≥ 1, or null for full BPTT)")
    if width < 1 or depth < 1:
        raise GradscopeError(f"{path}: model.width {width} and model.depth {depth} must be at least 1 for an rnn")
    for name in ("rnn.weight_ih_l0", "head.weight"):
        if name not in tensors or tensors[name].ndim != 2:
            raise GradscopeError(f"{path} has no 2-D tensor {name}, which every rnn has, so its input and output sizes are unknown")
    w_ih, head = tensors["rnn.weight_ih_l0"], tensors["head.weight"]
    gates = RNN_CELLS[cell]
    if w_ih.shape[0] != gates * width:
        raise GradscopeError(f"{path}: rnn.weight_ih_l0 has shape {list(w_ih.shape)}, but model.cell {cell} with model.width {width} needs G·H = {gates}·{width} = {gates * width} rows")
    d_in = int(w_ih.shape[1])
    name = data.get("name")
    if "input.x" in tensors:
        x = tensors["input.x"]
        if x.ndim != 3 or x.shape[2] != d_in:
            raise GradscopeError(f"{path}: input.x has shape {list(x.shape)}; an rnn's batch is sequences, [B, T, {d_in}] (batch first; data.name is {json.dumps(name)})")
        length = int(x.shape[1])
    elif name in SEQUENCE_DATA:
        length = SEQUENCE_DATA[name][1] or int(data.get("length", 0)) or None
    else:
        length = None  # the module takes any T
    return Spec(d_in=d_in, d_out=int(head.shape[0]), width=width, depth=depth, activation=activation, norm=norm, residual=residual,
                task=_task(tensors, config, int(head.shape[0])), config=text, arch="rnn", cell=cell, length=length, bptt=bptt)


def is_weight(name: str) -> bool:
    """False for what a file may carry besides the weights: a grads dump's extras, a resumable checkpoint's optimizer state."""
    if name.startswith(("grad.", "input.")) or name == "loss":
        return False
    return not (name.startswith("optimizer.") and name.endswith(OPTIMIZER_STATE))
