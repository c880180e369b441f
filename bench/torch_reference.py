#!/usr/bin/python3
"""PyTorch reference for bench/train.ts: the same two models, data, batch size and epochs on
one CPU thread. Reads the spec JSON written by bench/train.ts (path as argv[1]) and prints one
JSON document: wall and CPU seconds of each timed epoch (after one warm-up epoch), last loss,
and the
single-thread peak of a 1024x1024 torch.mm.

Models (mirroring bench/train.ts):
  gru-attn    GRU(64, batch_first) -> scores v.tanh(W h_t) -> softmax over time -> weighted sum
              -> Linear(3), cross entropy.
  bilstm-s2s  bidirectional LSTM(64) encoder; LSTM(64) decoder over the teacher-forced inputs,
              started from the sum of the two directions' final states; Bahdanau scores
              v.tanh(W1 d_i + W2 e_j + b); Linear(1) on [d_i; context_i]; MSE.
"""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)


class GruAttn(nn.Module):
    def __init__(self, units):
        super().__init__()
        self.gru = nn.GRU(1, units, batch_first=True)
        self.w = nn.Linear(units, 32)
        self.v = nn.Linear(32, 1, bias=False)
        self.out = nn.Linear(units, 3)

    def forward(self, x):
        h, _ = self.gru(x)
        a = torch.softmax(self.v(torch.tanh(self.w(h))).squeeze(-1), dim=1)
        ctx = torch.bmm(a.unsqueeze(1), h).squeeze(1)
        return self.out(ctx)


class BiLstmS2s(nn.Module):
    def __init__(self, units):
        super().__init__()
        self.enc = nn.LSTM(1, units, batch_first=True, bidirectional=True)
        self.dec = nn.LSTM(1, units, batch_first=True)
        self.w1 = nn.Linear(units, units, bias=False)
        self.w2 = nn.Linear(2 * units, units)
        self.v = nn.Linear(units, 1, bias=False)
        self.out = nn.Linear(3 * units, 1)

    def forward(self, x, dec_in):
        enc, (h, c) = self.enc(x)
        h0 = (h[0] + h[1]).unsqueeze(0)
        c0 = (c[0] + c[1]).unsqueeze(0)
        d, _ = self.dec(dec_in, (h0, c0))
        scores = self.v(torch.tanh(self.w1(d).unsqueeze(2) + self.w2(enc).unsqueeze(1))).squeeze(-1)
        a = torch.softmax(scores, dim=-1)
        ctx = torch.bmm(a, enc)
        return self.out(torch.cat([d, ctx], dim=-1))


def train(name, spec, data):
    torch.manual_seed(spec["seed"])
    n = data["n"]
    x = torch.tensor(data["x"], dtype=torch.float32).reshape(n, 50, 1)
    units, bs = spec["units"], spec["batch_size"]
    if name == "gru-attn":
        model = GruAttn(units)
        y = torch.tensor(data["y"], dtype=torch.long)
        dec_in = None
        loss_fn = nn.CrossEntropyLoss()
    else:
        model = BiLstmS2s(units)
        y = torch.tensor(data["y"], dtype=torch.float32).reshape(n, 10, 1)
        dec_in = torch.tensor(data["dec_in"], dtype=torch.float32).reshape(n, 10, 1)
        loss_fn = nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds, cpu, loss_value = [], [], float("nan")
    for epoch in range(spec["epochs"] + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        perm = torch.randperm(n)
        total, count = 0.0, 0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            opt.zero_grad()
            pred = model(x[idx]) if dec_in is None else model(x[idx], dec_in[idx])
            loss = loss_fn(pred, y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            count += len(idx)
        if epoch > 0:
            seconds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        loss_value = total / count
    return {"seconds": seconds, "cpu": cpu, "loss": loss_value}


def peak_flops():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * 1024 ** 3 / best


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    models = {name: train(name, spec, data) for name, data in spec["models"].items()}
    print(json.dumps({"models": models, "peak_flops": peak_flops(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
