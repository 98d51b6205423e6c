"""Files in and out: uploaded weights (``weights_file``, ``weights_infer``), downloads
(``exports``: CSV, ``.npz``, settings JSON), PNG/SVG through Chromium (``static_image``) and
the script that reproduces a run in plain PyTorch (``snippet``).
"""
