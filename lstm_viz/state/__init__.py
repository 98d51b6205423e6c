"""The app's state, without Streamlit: the presets of the five articles, ``Settings`` and
their repair (``repair``, ``sanitize``), the query-string round trip (``query``), the
teacher's ``LSTM_VIZ_*`` settings (``teacher_env``) and one run of it all (``pipeline``).
"""
