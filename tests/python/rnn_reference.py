"""Driven by rnn-reference.test.ts: float64 PyTorch results for the recurrent nets of src/reference/rnn.ts.

Input: a JSON list of cases, from argv[1] (the JSON text itself, or a path to a file holding it) or from stdin:
  {cell: rnn | lstm | gru, nonlinearity: tanh | relu, inputSize, hidden, depth, outputs,
   task: classification | regression, B, T, bptt: int | null,
   params: {name: {shape, data}} (rnn.weight_ih_l0, ..., head.bias), x: [B, T, inputSize] flat, y: flat}
The net is nn.RNN / nn.LSTM / nn.GRU (batch_first=True) named `rnn` and nn.Linear named `head` on the top layer's
last hidden state, loaded with load_state_dict(strict=True), so a wrong name or shape fails here. With bptt, the
first T - bptt steps run under no_grad and the last bptt steps start from that state: truncated BPTT as
`h = h.detach()`.
Output: one JSON line per case: {loss, logits, grads: {name: flat}, dx, timeDeltaNorm: [depth][T], stepLoss}.
timeDeltaNorm comes from a second unroll, one single-layer module per layer (PyTorch's own cells, same weights) run
one step at a time, where layer k's h_t is one tensor read by step t + 1 and by layer k + 1, so its .grad is the
total dL/dh_t; stepLoss is that unroll's loss. Floats print with repr, so they round-trip exactly.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def recurrent(case, input_size, layers):
    kw = {"nonlinearity": case["nonlinearity"]} if case["cell"] == "rnn" else {}
    return CELLS[case["cell"]](input_size, case["hidden"], num_layers=layers, batch_first=True, **kw)


def build(case):
    net = nn.Module()
    net.rnn = recurrent(case, case["inputSize"], case["depth"])
    net.head = nn.Linear(case["hidden"], case["outputs"])
    state = {name: torch.tensor(p["data"]).reshape(p["shape"]) for name, p in case["params"].items()}
    net.load_state_dict(state, strict=True)
    return net


def loss_of(case, logits):
    y = torch.tensor(case["y"])
    if case["task"] == "classification":
        return F.cross_entropy(logits, y.long())
    return F.mse_loss(logits, y.reshape(logits.shape))


def stacked(case, net, x):
    """Loss, logits and autograd of the stacked module (truncated: a no_grad prefix hands its state on)."""
    until = 0 if case["bptt"] is None else max(0, case["T"] - case["bptt"])
    state = None
    if until > 0:
        with torch.no_grad():
            _, state = net.rnn(x[:, :until], None)
    out, _ = net.rnn(x[:, until:], state)
    logits = net.head(out[:, -1])
    loss = loss_of(case, logits)
    loss.backward()
    grads = {name: p.grad.reshape(-1).tolist() for name, p in net.named_parameters()}
    return {"loss": loss.item(), "logits": logits.detach().reshape(-1).tolist(), "grads": grads, "dx": x.grad.reshape(-1).tolist()}


def stepped(case, net, x):
    """dL/dh_t of every layer and step, from single-layer modules run a step at a time; 0 where truncation cuts."""
    depth, T = case["depth"], case["T"]
    until = 0 if case["bptt"] is None else max(0, T - case["bptt"])
    layers = []
    for k in range(depth):
        m = recurrent(case, case["inputSize"] if k == 0 else case["hidden"], 1)
        m.load_state_dict({f"{n}_l0": getattr(net.rnn, f"{n}_l{k}").detach() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
        layers.append(m)
    states, hs = [None] * depth, [[None] * T for _ in range(depth)]
    for t in range(T):
        with torch.set_grad_enabled(t >= until):
            inp = x[:, t : t + 1]
            for k, m in enumerate(layers):
                out, state = m(inp, states[k])
                h = out[:, 0]
                if t >= until:
                    h.retain_grad()
                    hs[k][t] = h
                # The next step reads this very h, so its .grad sums both uses.
                states[k] = (h.unsqueeze(0), state[1]) if case["cell"] == "lstm" else h.unsqueeze(0)
                inp = h.unsqueeze(1)
    loss = loss_of(case, net.head(inp[:, 0]))
    loss.backward()
    norms = [[0.0 if h is None else h.grad.norm().item() for h in row] for row in hs]
    return {"timeDeltaNorm": norms, "stepLoss": loss.item()}


def run(case):
    net = build(case)
    x = torch.tensor(case["x"]).reshape(case["B"], case["T"], case["inputSize"]).requires_grad_()
    out = stacked(case, net, x)
    out.update(stepped(case, net, x.detach().clone()))
    return out


def main():
    if len(sys.argv) > 1:
        arg = sys.argv[1]
        text = arg if arg.lstrip().startswith("[") else open(arg, encoding="utf-8").read()
    else:
        text = sys.stdin.read()
    for i, case in enumerate(json.loads(text)):
        try:
            print(json.dumps(run(case)))
        except Exception as e:  # one line naming the case, never a traceback
            sys.exit(f"rnn_reference.py: case {i} ({case.get('cell')}): {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
