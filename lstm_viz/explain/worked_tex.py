"""A ``WorkedStep`` as LaTeX: each equation, then the same with the numbers plugged in.

Only symbols and numbers go into LaTeX (no user text). Numbers have 4 significant digits
(``num``); a negative term inside a sum is parenthesised: ``0.1234 + (-0.4560)``. For the
backward direction the previous state is written h_{t+1}, c_{t+1}.
"""

from __future__ import annotations

import math

from lstm_viz.explain.worked import GateTerms, WorkedStep

FUNCS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}"}
MAX_PROJ_TERMS = 6  # write the projection's dot product out term by term up to H_cell = 6


def num(v: float) -> str:
    """``v`` with 4 significant digits as LaTeX: ``0.4248``, ``-1.5``, ``3.1\\times10^{-5}``."""
    if not math.isfinite(v):
        return r"\text{nan}" if math.isnan(v) else (r"\infty" if v > 0 else r"-\infty")
    text = f"{v:.4g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = rf"{mantissa}\times10^{{{int(exp)}}}"
    return text


def term(v: float) -> str:
    """``num(v)``, parenthesised when negative (a term inside a sum or product)."""
    return f"({num(v)})" if v < 0 else num(v)


def prev_sub(step: WorkedStep) -> str:
    """Subscript of the previous state: ``t-1`` forward, ``t+1`` backward."""
    return "t-1" if step.direction == 0 else "t+1"


def _aligned(lhs: str, rhs: str, numbers: str) -> str:
    return rf"\begin{{aligned}}{lhs} &= {rhs} \\ &= {numbers}\end{{aligned}}"


def gate_tex(step: WorkedStep, gate: GateTerms) -> str:
    """``g_t[j] = f(W_ig[j]·x_t + b_ig[j] + W_hg[j]·h_{t-1} + b_hg[j]) = f(…) = f(pre) = v``."""
    g, j, f = gate.name, step.unit, FUNCS[gate.activation]
    x_sym, h_sym = [rf"W_{{i{g}}}[{j}]\cdot x_t"], [rf"W_{{h{g}}}[{j}]\cdot h_{{{prev_sub(step)}}}"]
    x_num, h_num = [term(gate.x_dot)], [term(gate.h_dot)]
    if step.bias:
        x_sym, h_sym = [*x_sym, f"b_{{i{g}}}[{j}]"], [*h_sym, f"b_{{h{g}}}[{j}]"]
        x_num, h_num = [*x_num, term(gate.b_i)], [*h_num, term(gate.b_h)]
    hs, hn = " + ".join(h_sym), " + ".join(h_num)
    if gate.reset is not None:  # GRU n: r_t ⊙ (W_hn h + b_hn)
        hs, hn = rf"r_t[{j}]\,\big({hs}\big)", rf"{num(gate.reset)}\cdot({hn})"
    rhs = rf"{f}\big({' + '.join(x_sym)} + {hs}\big)"
    numbers = rf"{f}({' + '.join(x_num)} + {hn}) = {f}({num(gate.pre)}) = {num(gate.value)}"
    return _aligned(f"{g}_t[{j}]", rhs, numbers)


def _lstm_tex(step: WorkedStep) -> list[str]:
    j, p, gv = step.unit, prev_sub(step), {g: v.value for g, v in step.gates.items()}
    lines = [_aligned(f"c_t[{j}]", rf"f_t[{j}]\,c_{{{p}}}[{j}] + i_t[{j}]\,g_t[{j}]",
                      rf"{num(gv['f'])}\cdot{term(step.c_prev)} + {num(gv['i'])}\cdot"
                      rf"{term(gv['g'])} = {num(step.c)}")]
    tanh_c = math.tanh(step.c)
    cell_out = rf"{num(gv['o'])}\cdot\tanh({num(step.c)}) = {num(gv['o'])}\cdot{term(tanh_c)}"
    if step.m is None:
        lines.append(_aligned(f"h_t[{j}]", rf"o_t[{j}]\,\tanh(c_t[{j}])",
                              rf"{cell_out} = {num(step.h)}"))
        return lines
    lines.append(_aligned(f"m_t[{j}]", rf"o_t[{j}]\,\tanh(c_t[{j}])",
                          rf"{cell_out} = {num(gv['o'] * tanh_c)}"))
    k, H = step.out_unit, len(step.m)
    rhs = rf"W_{{hr}}[{k}]\cdot m_t = \sum_{{q=0}}^{{{H - 1}}} W_{{hr}}[{k},q]\,m_t[q]"
    terms = (" + ".join(rf"{term(w)}\cdot{term(v)}" for w, v in zip(step.proj_row, step.m,
                                                                       strict=True))
             + " = " if H <= MAX_PROJ_TERMS else "")
    lines.append(_aligned(f"h_t[{k}]", rhs, f"{terms}{num(step.h)}"))
    return lines


def _gru_h_tex(step: WorkedStep) -> str:
    j, p = step.unit, prev_sub(step)
    z, n, h_prev = step.gates["z"].value, step.gates["n"].value, float(step.h_prev[j])
    return _aligned(f"h_t[{j}]", rf"(1 - z_t[{j}])\,n_t[{j}] + z_t[{j}]\,h_{{{p}}}[{j}]",
                    rf"(1 - {num(z)})\cdot{term(n)} + {num(z)}\cdot{term(h_prev)}"
                    rf" = {num(step.h)}")


def step_tex(step: WorkedStep) -> list[str]:
    """Every equation of the step, in order: the gates, then c_t (LSTM), then h_t."""
    if step.cell == "RNN":
        return [gate_tex(step, step.gates["h"])]
    lines = [gate_tex(step, g) for g in step.gates.values()]
    return lines + (_lstm_tex(step) if step.cell == "LSTM" else [_gru_h_tex(step)])
