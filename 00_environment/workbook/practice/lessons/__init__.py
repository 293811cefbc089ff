"""One module per lesson with exercises: `lNN_MM.py` for the notebook `NN_*/NN_MM_*.ipynb`.

Each module defines `EXERCISES` (a list of `workbook.practice.core.Exercise`) and the check
functions its exercises' check cells call. `python -m workbook practice build` turns them into
notebook cells; `tests/test_practice.py` finds every module here and tests every exercise.
"""
