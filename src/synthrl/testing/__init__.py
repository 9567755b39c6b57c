"""Test helpers that ship with synthrl: a fake OpenAI-compatible server and a scripted teacher."""
