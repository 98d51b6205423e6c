"""Teaching views: plain data built from a Trace, ready for a page or a figure.

Claims of the articles checked on this run (``claims``), one unit worked out by hand
(``worked``, ``worked_tex``), where ``h_n`` and ``output`` come from (``states_view``), the
packing walkthrough (``packing_view``) and the pages' small tables (``tables``).
"""
