"""The RNN engine: what a PyTorch user would import.

``config`` (RNNConfig, PyTorch's rules, the classroom ``caps``), ``build`` (a seeded real
``nn.LSTM``/``GRU``/``RNN``), ``tokens`` + ``inputs`` (sentences or random tensors as
``(L, N, H_in)`` / ``(N, L, H_in)`` batches, packing), ``trace`` (one run of the module, its
layers' own states (``layers``) and every gate recomputed from its weights: ``cells``,
``recompute``), ``packing`` (the PackedSequence layout) and ``shapes`` (the shape contract).
Imports nothing else of lstm_viz.
"""
