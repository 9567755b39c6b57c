"""The student: loading, sampling backends, and scoring its answers to synthetic samples."""
