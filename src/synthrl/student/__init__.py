"""The student: loading, sampling backends, and the solve and score stages."""
