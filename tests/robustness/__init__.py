"""Issue 10 (safe by construction): every case of the reliability audit, as a test."""
