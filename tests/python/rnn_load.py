"""Driven by torch-rnn.test.ts: rnn files in PyTorch through the public API only, one process.

argv[1] is a JSON list of jobs {"file", "data"?, "out"?}: load the file strictly and report the module, its
state_dict and parameter names beside the file's own names, and what the Spec read off the file; with "data"
(input.x [N, T, in], input.y), also the eval-mode mean loss and the first rows' logits in float64, with and without
grad enabled (a truncated module must give full BPTT's values either way); with "out", save the module back there
for gradscope to load. One JSON line per job.
"""
import json
import sys

import torch

from gradscope_torch import GradscopeRNN, load_model, read_safetensors, save_model

for job in json.loads(sys.argv[1]):
    tensors, _ = read_safetensors(job["file"])
    model = load_model(job["file"])
    s = model.spec
    out = {
        "module": type(model).__name__,
        "isRNN": isinstance(model, GradscopeRNN),
        "recurrent": type(model.rnn).__name__ if isinstance(model, GradscopeRNN) else None,
        "stateDict": list(model.state_dict().keys()),
        "parameters": [n for n, _ in model.named_parameters()],
        "fileTensors": list(tensors.keys()),
        "spec": {"cell": s.cell, "activation": s.activation, "length": s.length, "bptt": s.bptt, "dIn": s.d_in, "dOut": s.d_out, "task": s.task},
    }
    if "data" in job:
        data, _ = read_safetensors(job["data"])
        m = model.double().eval()
        x, y = torch.from_numpy(data["input.x"]).double(), torch.from_numpy(data["input.y"])
        with torch.no_grad():
            logits = m(x)
            out["testLoss"] = m.loss(logits, y).item()
        out["gradLogitsDiff"] = (m(x) - logits).abs().max().item()  # the truncated forward with grad on
        out["logits"] = logits[:4].tolist()
    if "out" in job:
        save_model(model, job["out"])
    print(json.dumps(out))
