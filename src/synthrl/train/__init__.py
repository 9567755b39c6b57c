"""Training the student on selected samples: GRPO (TRL), the SFT baseline, exports."""
