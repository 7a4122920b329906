"""Driven by torch-resnet.test.ts: resnet files in PyTorch through the public API only, one process.

argv[1] is a JSON list of jobs {"file", "data"?}: load the file strictly and report the module's state_dict and
parameter names beside the file's own names; with "data" (input.x NCHW, input.y), also the eval-mode mean loss and
the first rows' logits in float64. One JSON line per job.
"""
import json
import sys

import torch

from gradscope_torch import BatchNorm2d, GradscopeResNet, load_model, read_safetensors

for job in json.loads(sys.argv[1]):
    tensors, _ = read_safetensors(job["file"])
    model = load_model(job["file"])
    out = {
        "module": type(model).__name__,
        "isResNet": isinstance(model, GradscopeResNet),
        "stateDict": list(model.state_dict().keys()),
        "parameters": [n for n, _ in model.named_parameters()],
        "fileTensors": list(tensors.keys()),
        "batchNorms": sum(isinstance(m, torch.nn.BatchNorm2d) and isinstance(m, BatchNorm2d) for m in model.modules()),
        "image": list(model.spec.image),
    }
    if "data" in job:
        data, _ = read_safetensors(job["data"])
        model = model.double().eval()
        with torch.no_grad():
            logits = model(torch.from_numpy(data["input.x"]).double())
            out["testLoss"] = model.loss(logits, torch.from_numpy(data["input.y"])).item()
        out["logits"] = logits[:4].tolist()
    print(json.dumps(out))
