"""Driven by torch-roundtrip.test.ts: gradscope checkpoints in PyTorch through the public API only, one process.

argv[1] is a JSON list of jobs {"checkpoint", "data", "out"}: load the checkpoint strictly, run the eval-mode
forward on data's input.x (the run's test split), report the mean loss against input.y and the first rows'
logits, and save the module back to out for gradscope to load. One JSON line per job.
"""
import json
import sys

import torch

from gradscope_torch import BatchNorm1d, load_model, read_safetensors, save_model

for job in json.loads(sys.argv[1]):
    model = load_model(job["checkpoint"]).double().eval()
    tensors, _ = read_safetensors(job["data"])
    x, y = torch.from_numpy(tensors["input.x"]).double(), torch.from_numpy(tensors["input.y"])
    with torch.no_grad():
        logits = model(x)
        loss = model.loss(logits, y)
    save_model(model, job["out"])
    print(json.dumps({
        "testLoss": loss.item(),
        "logits": logits[:8].tolist(),
        "stateDict": list(model.state_dict().keys()),
        "batchNorms": sum(isinstance(m, torch.nn.BatchNorm1d) and isinstance(m, BatchNorm1d) for m in model.modules()),
        "task": model.spec.task,
    }))
