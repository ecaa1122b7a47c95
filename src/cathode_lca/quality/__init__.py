"""Data quality: pedigree scores of every number (:mod:`.scores`) and the EF data quality rating (:mod:`.dqr`).

It sits below the uses of the model (passport, uncertainty, comparison JSON), so each of them can
rate its results without importing another.
"""
