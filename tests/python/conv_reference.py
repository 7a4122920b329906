"""Driven by conv-reference.test.ts: float64 PyTorch results for the convolutional ResNet ops of src/reference/conv.ts.

Input: a JSON list of cases, from argv[1] (the JSON text itself, or a path to a file holding it; argv has a size
limit, so the test passes a file) or from stdin when there is no argument. Every tensor is a flat list in the GPU's
layouts, activations NHWC and conv weights OHWI; they are turned into PyTorch's NCHW and OIHW here and the results
turned back. Cases, by "op":
  conv2d     {x, xShape [N, H, W, Cin], w, wShape [Cout, KH, KW, Cin], bias?, stride, pad, dy}
             -> {y, dx, dw, db?}: F.conv2d forward and autograd of sum(y * dy).
  shortcutA  {x, xShape [N, H, W, Cin], cout, dy}
             -> {y, dx}: akamaster/pytorch_resnet_cifar10's option-A LambdaLayer, F.pad(x[:, :, ::2, ::2],
             (0, 0, 0, 0, p, p)) with p = (cout - Cin) / 2 (its planes // 4 when cout = 2·Cin).
  avgpool    {x, xShape [N, H, W, C], dy} -> {y [N, C], dx}: F.avg_pool2d over the whole H×W image.
Output: one JSON line per case. Floats print with repr, so they round-trip exactly.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F


def nchw(flat, shape):
    """NHWC flat list -> NCHW float64 leaf tensor that records its gradient."""
    return torch.from_numpy(np.asarray(flat, dtype=np.float64).reshape(shape).transpose(0, 3, 1, 2).copy()).requires_grad_()


def flat_nhwc(t):
    """NCHW (or OIHW) tensor -> NHWC (or OHWI) flat list."""
    return t.detach().permute(0, 2, 3, 1).reshape(-1).tolist()


def conv2d(case):
    x = nchw(case["x"], case["xShape"])
    w = nchw(case["w"], case["wShape"])  # OHWI -> OIHW is the same permutation as NHWC -> NCHW
    bias = torch.tensor(case["bias"], dtype=torch.float64, requires_grad=True) if "bias" in case else None
    y = F.conv2d(x, w, bias, stride=case["stride"], padding=case["pad"])
    n, c, h, wd = y.shape
    y.backward(nchw(case["dy"], [n, h, wd, c]).detach())
    out = {"y": flat_nhwc(y), "dx": flat_nhwc(x.grad), "dw": flat_nhwc(w.grad)}
    if bias is not None:
        out["db"] = bias.grad.tolist()
    return out


def shortcut_a(case):
    x = nchw(case["x"], case["xShape"])
    grow = case["cout"] - x.shape[1]
    if grow < 0 or grow % 2:
        raise ValueError(f"cout - Cin must be even and non-negative (got Cin {x.shape[1]}, cout {case['cout']})")
    p = grow // 2
    y = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, p, p), "constant", 0)
    n, c, h, wd = y.shape
    y.backward(nchw(case["dy"], [n, h, wd, c]).detach())
    return {"y": flat_nhwc(y), "dx": flat_nhwc(x.grad)}


def avgpool(case):
    x = nchw(case["x"], case["xShape"])
    y = F.avg_pool2d(x, tuple(x.shape[2:])).reshape(x.shape[0], -1)
    y.backward(torch.tensor(case["dy"], dtype=torch.float64).reshape(y.shape))
    return {"y": y.detach().reshape(-1).tolist(), "dx": flat_nhwc(x.grad)}


OPS = {"conv2d": conv2d, "shortcutA": shortcut_a, "avgpool": avgpool}


def main():
    if len(sys.argv) > 1:
        arg = sys.argv[1]
        text = arg if arg.lstrip().startswith("[") else open(arg, encoding="utf-8").read()
    else:
        text = sys.stdin.read()
    for i, case in enumerate(json.loads(text)):
        try:
            print(json.dumps(OPS[case["op"]](case)))
        except Exception as e:  # one line naming the case, never a traceback
            sys.exit(f"conv_reference.py: case {i} ({case.get('op')}): {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
