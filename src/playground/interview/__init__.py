"""Interview readiness: mock rounds, the final quiz and the cheat sheet."""
