"""The practice track: exercises at the end of each lesson, checked against the offline model.

`core` holds what exercise modules use (`Exercise`, `@check`, `expect`), `build` the generator of
the exercise cells and solution notebooks, `lessons/lNN_MM.py` one module per lesson. See README.md.
"""
