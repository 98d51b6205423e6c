"""Lessons: the student predicts, the real module answers.

Plain data and functions, no Streamlit. ``lessons.json`` orders the questions of each
reference article (and of the trained model) as steps; ``misconceptions.json`` lists the
classic mistakes as changes of facts. For one step on one run:

- ``steps.settings_for(step, settings)``: the configuration the step sets;
- ``questions.ask(step, run, module)``: the module's answer (``truth``), checked against
  the rules (``contract``), and each misconception's wrong answer (``misconceptions``);
- ``checker.check(question, text)``: right, a named mistake, wrong, or unreadable
  (``answers`` reads ``(5, 3, 20)``, ``torch.Size([5, 3, 20])``, ``（５，３，２０）`` …).

``drill.drill_step(seed, k)`` makes the endless, seeded shape drill.
"""
