"""The simulated organisation: a SimConfig in; a Dataset (groups, projects, users, history) out.

Plain data and generators; the server side in pipeline/sim/ serves it."""
