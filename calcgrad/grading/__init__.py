"""Checking answers: equivalence, named mistakes, one check, and batch grading of a class.

`calcgrad.grading.grade` (batch grading of a CSV) is kept here under its old name.
"""

from calcgrad.grading.batch import GradeReport, grade

__all__ = ["GradeReport", "grade"]
